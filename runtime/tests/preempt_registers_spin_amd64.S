// SpinKeepingState(flag, out, level, in_loop): for preempt_registers_test.
// Loads known values into every general register, the vector registers
// (level 0: xmm0-15, 1: ymm0-15, 2: zmm0-31 and k1-7), MXCSR and the x87
// control word (round toward zero), the direction flag (set), and the 128
// bytes of red zone below rsp; sets *in_loop; spins with no call until
// *flag != 0; then writes what every one of them holds to out (layout in
// the test) and returns with the ABI's state restored.
//
//   rdi = flag, rsi = out, rdx = level, rcx = in_loop
        .text
        .globl  SpinKeepingState
        .type   SpinKeepingState,@function
        .p2align 4
SpinKeepingState:
        pushq   %rbp
        movq    %rsp, %rbp
        pushq   %rbx
        pushq   %r12
        pushq   %r13
        pushq   %r14
        pushq   %r15

        leaq    kVecPattern(%rip), %rax
        cmpq    $2, %rdx
        je      .Lload_zmm
        cmpq    $1, %rdx
        je      .Lload_ymm
        .irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
        movdqu  64*\i(%rax), %xmm\i
        .endr
        jmp     .Lloaded
.Lload_ymm:
        .irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
        vmovdqu 64*\i(%rax), %ymm\i
        .endr
        jmp     .Lloaded
.Lload_zmm:
        .irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        vmovdqu64 64*\i(%rax), %zmm\i
        .endr
        .irp k,1,2,3,4,5,6,7
        movabsq $0x0f0f0f0f0f0f0f00+\k, %r8
        kmovq   %r8, %k\k
        .endr
.Lloaded:
        subq    $8, %rsp
        movl    $0x7f80, (%rsp)         // MXCSR, rounding toward zero
        ldmxcsr (%rsp)
        movw    $0x0f7f, (%rsp)         // x87 control word, rounding toward zero
        fldcw   (%rsp)
        addq    $8, %rsp
        movq    %rbp, 38*8(%rsi)        // rbp and rsp as they are in the loop
        movq    %rsp, 39*8(%rsi)

        // The red zone: 0x5ed20e0000000000 + i at -8*(i+1)(%rsp).
        movabsq $0x5ed20e0000000000, %rax
        .irp i,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16
        movq    %rax, -8*\i(%rsp)
        incq    %rax
        .endr

        // General registers: 0x1000000000000000 * (n+1) + 0x0123456789 * (n+3),
        // n the register's index in the test's table. rdi, rsi and rdx keep
        // the arguments.
        movabsq $0x1000000000000000*1+0x0123456789*3, %rax
        movabsq $0x1000000000000000*2+0x0123456789*4, %rbx
        movabsq $0x1000000000000000*4+0x0123456789*6, %r8
        movabsq $0x1000000000000000*5+0x0123456789*7, %r9
        movabsq $0x1000000000000000*6+0x0123456789*8, %r10
        movabsq $0x1000000000000000*7+0x0123456789*9, %r11
        movabsq $0x1000000000000000*8+0x0123456789*10, %r12
        movabsq $0x1000000000000000*9+0x0123456789*11, %r13
        movabsq $0x1000000000000000*10+0x0123456789*12, %r14
        movabsq $0x1000000000000000*11+0x0123456789*13, %r15
        movl    $1, (%rcx)              // in the loop from here on
        movabsq $0x1000000000000000*3+0x0123456789*5, %rcx
        std
.Lspin:
        pause
        cmpl    $0, (%rdi)
        je      .Lspin

        // The red zone first: nothing may be pushed before it is read.
        movq    %rax, 16*8(%rsi)
        .irp i,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16
        movq    -8*\i(%rsp), %rax
        movq    %rax, 8*(\i-1)(%rsi)
        .endr
        movq    %rbx, 17*8(%rsi)
        movq    %rcx, 18*8(%rsi)
        movq    %rdx, 19*8(%rsi)
        movq    %rsi, 20*8(%rsi)
        movq    %rdi, 21*8(%rsi)
        movq    %r8, 22*8(%rsi)
        movq    %r9, 23*8(%rsi)
        movq    %r10, 24*8(%rsi)
        movq    %r11, 25*8(%rsi)
        movq    %r12, 26*8(%rsi)
        movq    %r13, 27*8(%rsi)
        movq    %r14, 28*8(%rsi)
        movq    %r15, 29*8(%rsi)
        movq    %rbp, 30*8(%rsi)
        movq    %rsp, 31*8(%rsi)
        pushfq
        popq    %rax
        movq    %rax, 33*8(%rsi)
        cld
        stmxcsr 34*8(%rsi)
        fnstcw  35*8(%rsi)
        cmpq    $2, %rdx
        je      .Lsave_zmm
        cmpq    $1, %rdx
        je      .Lsave_ymm
        .irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
        movdqu  %xmm\i, 512+64*\i(%rsi)
        .endr
        jmp     .Lsaved
.Lsave_ymm:
        .irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
        vmovdqu %ymm\i, 512+64*\i(%rsi)
        .endr
        jmp     .Lsaved
.Lsave_zmm:
        .irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        vmovdqu64 %zmm\i, 512+64*\i(%rsi)
        .endr
        .irp k,1,2,3,4,5,6,7
        kmovq   %k\k, (40+\k)*8(%rsi)
        .endr
.Lsaved:
        subq    $8, %rsp
        movl    $0x1f80, (%rsp)
        ldmxcsr (%rsp)
        movw    $0x037f, (%rsp)
        fldcw   (%rsp)
        addq    $8, %rsp
        cmpq    $0, %rdx
        je      .Lreturn
        vzeroupper
.Lreturn:
        popq    %r15
        popq    %r14
        popq    %r13
        popq    %r12
        popq    %rbx
        popq    %rbp
        ret
        .size   SpinKeepingState, .-SpinKeepingState

        .section .note.GNU-stack,"",@progbits

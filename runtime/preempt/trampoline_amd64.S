// goruntime_async_preempt_trampoline: where a goroutine lands when the
// preemption signal handler (signal.cc) injects a call (Go's asyncPreempt,
// preempt_amd64.s, adapted to C++ code).
//
// On entry, as the handler left it, S being the interrupted rsp:
//   rsp     = S - 136
//   [rsp]   = the interrupted PC, the return address of this injected call
//   [S-128, S) is the interrupted code's red zone: the SysV ABI lets a leaf
//   function keep data there without moving rsp, so nothing below touches it
//   every register and flag holds the interrupted code's value; the signal
//   mask is the interrupted code's (sigreturn restored it) and stays so.
// It saves every general register, rflags and the whole extended state
// (xsave with every feature enabled in XCR0: x87, SSE, AVX, AVX-512, ...; or
// fxsave on a CPU without XSAVE), gives the C++ code an ABI-clean state
// (direction flag clear, x87 empty, default MXCSR), calls
// goruntime_async_preempt (resume.cc), which yields and returns once the
// goroutine runs again on this same thread, restores everything and returns
// to the interrupted PC with rsp = S ("ret $128" pops the red-zone gap too).
//
// The CFI describes the frame exactly (the return address and the saved
// callee-saved registers, with CFA = S), so debuggers and unwinders walk
// through it into the interrupted function.

        .section goruntime_text,"ax",@progbits
        .globl  goruntime_async_preempt_trampoline
        .hidden goruntime_async_preempt_trampoline
        .type   goruntime_async_preempt_trampoline,@function
        .p2align 4
goruntime_async_preempt_trampoline:
        .cfi_startproc
        .cfi_def_cfa %rsp, 136
        .cfi_offset %rip, -136
        pushfq
        .cfi_adjust_cfa_offset 8
        pushq   %rbp
        .cfi_adjust_cfa_offset 8
        .cfi_offset %rbp, -152
        movq    %rsp, %rbp
        .cfi_def_cfa_register %rbp
        pushq   %rax
        pushq   %rbx
        .cfi_offset %rbx, -168
        pushq   %rcx
        pushq   %rdx
        pushq   %rsi
        pushq   %rdi
        pushq   %r8
        pushq   %r9
        pushq   %r10
        pushq   %r11
        pushq   %r12
        .cfi_offset %r12, -240
        pushq   %r13
        .cfi_offset %r13, -248
        pushq   %r14
        .cfi_offset %r14, -256
        pushq   %r15
        .cfi_offset %r15, -264
        cld

        // The extended-state area, 64-byte aligned as XSAVE requires. Its
        // size comes from CPUID leaf 0xD (signal.cc); the XSAVE header (bytes
        // 512..575) must be zero before XSAVE, or XRSTOR faults.
        movq    goruntime_xsave_bytes(%rip), %rax
        subq    %rax, %rsp
        andq    $-64, %rsp
        xorl    %eax, %eax
        movq    %rax, 512(%rsp)
        movq    %rax, 520(%rsp)
        movq    %rax, 528(%rsp)
        movq    %rax, 536(%rsp)
        movq    %rax, 544(%rsp)
        movq    %rax, 552(%rsp)
        movq    %rax, 560(%rsp)
        movq    %rax, 568(%rsp)
        cmpb    $0, goruntime_use_xsave(%rip)
        je      1f
        movl    $-1, %eax
        movl    $-1, %edx
        xsave64 (%rsp)
        jmp     2f
1:      fxsave64 (%rsp)
2:      fninit
        ldmxcsr goruntime_default_mxcsr(%rip)

        call    goruntime_async_preempt

        cmpb    $0, goruntime_use_xsave(%rip)
        je      3f
        movl    $-1, %eax
        movl    $-1, %edx
        xrstor64 (%rsp)
        jmp     4f
3:      fxrstor64 (%rsp)
4:      leaq    -112(%rbp), %rsp
        popq    %r15
        popq    %r14
        popq    %r13
        popq    %r12
        popq    %r11
        popq    %r10
        popq    %r9
        popq    %r8
        popq    %rdi
        popq    %rsi
        popq    %rdx
        popq    %rcx
        popq    %rbx
        popq    %rax
        popq    %rbp
        .cfi_def_cfa %rsp, 144
        popfq
        .cfi_adjust_cfa_offset -8
        ret     $128
        .cfi_endproc
        .size   goruntime_async_preempt_trampoline, .-goruntime_async_preempt_trampoline

        .section .rodata
        .p2align 2
goruntime_default_mxcsr:
        .long   0x1f80

        .section .note.GNU-stack,"",@progbits

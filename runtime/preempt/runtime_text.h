// Force-included (copts "-include", runtime/BUILD) into every C++ translation
// unit of the runtime: every function they define, template instances
// included, goes in the section goruntime_text. The linker then defines
// __start_goruntime_text and __stop_goruntime_text around it, which is how
// the preemption signal handler tells the runtime's own code from the
// program's (preempt/text.cc). A template instance that the program also
// emits is kept once, from either side (see text.cc on what that implies).
#pragma once

#if !defined(__ASSEMBLER__)
#if defined(__clang__)
#pragma clang section text = "goruntime_text"
#else
#error "the runtime is built with clang: its code must go in section goruntime_text (preempt/text.cc)"
#endif
#endif

// Which code a goroutine may be preempted in (PreemptiblePC).
//
// A goroutine may be preempted at a PC in the main executable's .text
// section, the compiled functions of the program, except
//  - the runtime's own code: the section goruntime_text (runtime_text.h puts
//    every function of the runtime's translation units there, and the linker
//    defines its bounds), which includes the trampoline and this handler;
//  - in sanitizer builds, the sanitizer runtime, which the compiler driver
//    links into the executable: every function symbol of the executable
//    named in a sanitizer namespace, an interceptor, or an operator
//    new/delete (ASan replaces them), plus the few unnamed helpers between
//    them (static functions such as printf_common, the 5-byte interceptor
//    trampolines named strlen, read, ...): a run of at most 8 other symbols
//    with sanitizer code on both sides. The program's own code comes from
//    other object files and forms one long run apart. Its allocator takes
//    locks of its own.
//  - libgcc's split-stack support, which the linker copies into the
//    executable from libgcc.a whenever the program has split-stack code
//    (morestack.S and generic-morestack.c): __morestack and
//    __morestack_non_split, which switch a goroutine between segments, and the
//    functions they call to allocate, find and release segments and to block
//    signals meanwhile (__generic_morestack*, __generic_releasestack,
//    __generic_findstack, __morestack_*, __splitstack_*,
//    __stack_split_initialize). Halfway through __morestack the stack pointer
//    is on a segment libgcc has not recorded yet and the thread's split-stack
//    limit may belong to neither segment; its callees hold libgcc's
//    per-thread segment list in an inconsistent state. They are excluded by
//    their symbols, each range reaching to the next symbol when that one is
//    libgcc's too (one range per object file, padding included). The
//    runtime's wrappers around three of them (stack/split_stack.cc) are the
//    runtime's own code, excluded above.
// The rest of the executable's code is not preemptible either: .plt holds
// the stubs through which the runtime, too, calls libraries (a preemption
// at jump_fcontext@plt, reached from SwitchToG0 halfway through a switch,
// would yield from inside a switch), and .init/.fini run before and after
// goroutines. Nothing outside the main executable is preemptible: libc, libstdc++,
// libgcc_s's unwinder, ld.so, the vDSO, Boost.Context, and the project's own
// shared objects (Bazel links tests against the runtime and other libraries
// as .so files; code there is simply never preempted). A library may hold a
// lock of its own (malloc's arena lock) that another goroutine would then
// wait for on the only P, with no way to tell; so its code is never
// interrupted, and a goroutine that spins inside it is retried at the next
// tick, as Go does with a goroutine in assembly without safe-point metadata.
//
// Some of the runtime's code stays in .text: clang's pragma covers only
// functions written out, not implicitly defined ones (the constructors and
// destructors of runtime classes and of lambdas) nor a lambda called in a
// static initializer; and a template instance that both the runtime and the
// program emit (a COMDAT such as Value's destructor or
// shared_ptr<HChan>'s disposer) is kept once, from whichever object the
// linker met first. In the reference driver that is about twenty functions,
// listed by an objdump of the calls from goruntime_text into .text. None of
// them matters: every runtime lock raises the no-preemption depth
// (nopreempt.h), so such code is never preempted under a lock (ElemOps'
// element moves, called with the channel locked, are the program's own
// template code), and the rest only builds or destroys the G's own objects,
// where a preemption is a yield on the same M at that instant.
//
// Statically linked third-party code (a static allocator, say) counts as the
// program's: link such libraries dynamically, or set GODEBUG=asyncpreemptoff=1.
//
// The symbols come from the executable's symbol table. Without it (a stripped
// executable), when the executable holds the sanitizer runtime or libgcc's
// split-stack support, their code cannot be told from the program's: then
// nothing is preemptible. Likewise if __morestack is linked in but its
// address is not among the ranges found.
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "runtime/preempt/preempt.h"

extern "C" char __start_goruntime_text[];
extern "C" char __stop_goruntime_text[];
// libgcc's split-stack entry points: weak, so that a program without
// split-stack code does not link them in (then their address is null).
extern "C" void __morestack() __attribute__((weak));
extern "C" void __splitstack_getcontext(void* context[10]) __attribute__((weak));

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define GORT_SANITIZER_RUNTIME_IN_EXE 1
#endif
#endif
#if defined(GORT_ASAN) || defined(GORT_TSAN)
#define GORT_SANITIZER_RUNTIME_IN_EXE 1
#endif

namespace goruntime::detail {
namespace {

struct Range {
  uintptr_t lo, hi;  // [lo, hi)
};

// Filled once by InitCodeLayout, before the handler is installed; read-only
// afterwards, so the handler may read it.
struct Layout {
  bool ready = false;
  Range text{0, 0};     // the main executable's .text, where it is loaded
  Range runtime{0, 0};  // goruntime_text (in the executable or a shared object)
  std::vector<Range> sanitizer;  // sorted, disjoint
  std::vector<Range> split_stack;  // libgcc's split-stack support; sorted, disjoint
};

Layout& TheLayout() {
  static Layout* layout = new Layout;  // used by signal handlers until _exit
  return *layout;
}

int MainBias(dl_phdr_info* info, size_t, void* data) {
  *static_cast<uintptr_t*>(data) = info->dlpi_addr;  // the first object is the program
  return 1;
}

// The main executable's file, mapped read-only for the section headers and
// the symbol table (neither is loaded into memory).
class ExecutableFile {
 public:
  ExecutableFile() {
    const int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    struct stat st;
    if (fstat(fd, &st) == 0 && st.st_size > 0) {
      void* map = mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
      if (map != MAP_FAILED) {
        base_ = static_cast<const unsigned char*>(map);
        size_ = static_cast<size_t>(st.st_size);
      }
    }
    close(fd);
    const auto* eh = header();
    if (base_ == nullptr || size_ < sizeof(Elf64_Ehdr) || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
        eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_shoff + eh->e_shnum * sizeof(Elf64_Shdr) > size_ ||
        eh->e_shstrndx >= eh->e_shnum) {
      shnum_ = 0;
      return;
    }
    shnum_ = eh->e_shnum;
  }
  ~ExecutableFile() {
    if (base_ != nullptr) munmap(const_cast<unsigned char*>(base_), size_);
  }
  ExecutableFile(const ExecutableFile&) = delete;
  ExecutableFile& operator=(const ExecutableFile&) = delete;

  int sections() const { return shnum_; }
  const Elf64_Shdr& section(int i) const {
    return reinterpret_cast<const Elf64_Shdr*>(base_ + header()->e_shoff)[i];
  }
  // The section's contents, or null if they lie outside the file.
  const unsigned char* contents(const Elf64_Shdr& sh) const {
    return sh.sh_offset + sh.sh_size <= size_ ? base_ + sh.sh_offset : nullptr;
  }
  const char* section_name(const Elf64_Shdr& sh) const {
    const Elf64_Shdr& names = section(header()->e_shstrndx);
    const unsigned char* table = contents(names);
    return table != nullptr && sh.sh_name < names.sh_size ? reinterpret_cast<const char*>(table) + sh.sh_name : "";
  }

 private:
  const Elf64_Ehdr* header() const { return reinterpret_cast<const Elf64_Ehdr*>(base_); }
  const unsigned char* base_ = nullptr;
  size_t size_ = 0;
  int shnum_ = 0;
};

// The executable's .text, as loaded; empty if it cannot be found.
Range FindText(const ExecutableFile& exe, uintptr_t bias) {
  for (int i = 0; i < exe.sections(); i++) {
    const Elf64_Shdr& sh = exe.section(i);
    if (sh.sh_type == SHT_PROGBITS && (sh.sh_flags & SHF_EXECINSTR) != 0 && strcmp(exe.section_name(sh), ".text") == 0)
      return Range{bias + sh.sh_addr, bias + sh.sh_addr + sh.sh_size};
  }
  return Range{0, 0};
}

#if defined(GORT_SANITIZER_RUNTIME_IN_EXE)
bool IsSanitizerFunction(const char* name) {
  static const char* const kMarks[] = {"__asan",        "__lsan",        "__ubsan", "__tsan",
                                       "__msan",        "__sanitizer",   "__sancov",
                                       "__interception", "__interceptor", "_ZN6fuzzer"};
  for (const char* mark : kMarks)
    if (strstr(name, mark) != nullptr) return true;
  // operator new / new[] / delete / delete[]: in a sanitizer build the
  // executable's own are the sanitizer's allocator entry points.
  return strncmp(name, "_Znw", 4) == 0 || strncmp(name, "_Zna", 4) == 0 ||
         strncmp(name, "_Zdl", 4) == 0 || strncmp(name, "_Zda", 4) == 0;
}
#endif

// A function of libgcc's split-stack support (morestack.S,
// generic-morestack.c), by its name's prefix. Every global and hidden
// function those files define carries one of these; the .cold parts GCC
// split off keep the name with a suffix.
bool IsSplitStackFunction(const char* name) {
  static const char* const kPrefixes[] = {"__morestack", "__generic_morestack", "__generic_releasestack",
                                          "__generic_findstack", "__splitstack_", "__stack_split_initialize"};
  for (const char* prefix : kPrefixes)
    if (strncmp(name, prefix, strlen(prefix)) == 0) return true;
  return false;
}

struct Symbol {
  uintptr_t lo, hi;
  bool marked;  // of the code being looked for
};

// The code ranges of the marked symbols among the executable's function
// symbols: each marked function, extended over runs of at most max_bridge
// unmarked symbols between two marked ones (and over the padding between
// them).
std::vector<Range> MarkedRanges(std::vector<Symbol> syms, size_t max_bridge) {
  std::sort(syms.begin(), syms.end(), [](const Symbol& a, const Symbol& b) { return a.lo < b.lo; });
  std::vector<Range> out;
  size_t last = SIZE_MAX;  // index of the previous marked symbol
  for (size_t i = 0; i < syms.size(); i++) {
    if (!syms[i].marked) continue;
    const bool bridge = last != SIZE_MAX && i - last - 1 <= max_bridge;
    if (bridge && !out.empty()) {
      out.back().hi = std::max(out.back().hi, syms[i].hi);
    } else {
      out.push_back(Range{syms[i].lo, syms[i].hi});
    }
    last = i;
  }
  return out;
}

// The executable's function symbols, as loaded, each marked by is_marked.
// False when there is no symbol table (a stripped executable).
bool ReadFunctions(const ExecutableFile& exe, uintptr_t bias, bool (*is_marked)(const char*),
                   std::vector<Symbol>* out) {
  bool found = false;
  out->clear();
  for (int i = 0; i < exe.sections(); i++) {
    const Elf64_Shdr& symtab = exe.section(i);
    if (symtab.sh_type != SHT_SYMTAB || symtab.sh_link >= static_cast<uint32_t>(exe.sections())) continue;
    const Elf64_Shdr& strtab = exe.section(static_cast<int>(symtab.sh_link));
    const auto* syms = reinterpret_cast<const Elf64_Sym*>(exe.contents(symtab));
    const auto* names = reinterpret_cast<const char*>(exe.contents(strtab));
    if (syms == nullptr || names == nullptr) continue;
    found = true;
    for (size_t k = 0; k < symtab.sh_size / sizeof(Elf64_Sym); k++) {
      const Elf64_Sym& s = syms[k];
      if (ELF64_ST_TYPE(s.st_info) != STT_FUNC && ELF64_ST_TYPE(s.st_info) != STT_GNU_IFUNC) continue;
      if (s.st_shndx == SHN_UNDEF || s.st_name >= strtab.sh_size) continue;
      const uintptr_t lo = bias + s.st_value;
      out->push_back(Symbol{lo, lo + (s.st_size > 0 ? s.st_size : 1), is_marked(names + s.st_name)});
    }
  }
  return found;
}

bool InRanges(const std::vector<Range>& ranges, uintptr_t pc) {
  auto it = std::upper_bound(ranges.begin(), ranges.end(), pc, [](uintptr_t v, const Range& r) { return v < r.lo; });
  return it != ranges.begin() && pc < std::prev(it)->hi;
}

}  // namespace

void InitCodeLayout() {
  Layout& layout = TheLayout();
  if (layout.ready) return;
  uintptr_t bias = 0;
  dl_iterate_phdr(MainBias, &bias);
  const ExecutableFile exe;
  layout.text = FindText(exe, bias);
  layout.runtime = Range{reinterpret_cast<uintptr_t>(__start_goruntime_text),
                         reinterpret_cast<uintptr_t>(__stop_goruntime_text)};
  std::vector<Symbol> functions;
#if defined(GORT_SANITIZER_RUNTIME_IN_EXE)
  // Without the symbol table the sanitizer's code cannot be told from the
  // program's: then nothing is preemptible.
  if (ReadFunctions(exe, bias, IsSanitizerFunction, &functions)) {
    layout.sanitizer = MarkedRanges(functions, /*max_bridge=*/8);
  } else {
    layout.text = Range{0, 0};
  }
#endif
  // libgcc's split-stack support: whole object files, so only neighbours
  // are joined. Required to be found whenever it is linked in.
  const bool split_stack_linked = __morestack != nullptr || __splitstack_getcontext != nullptr;
  if (ReadFunctions(exe, bias, IsSplitStackFunction, &functions)) {
    layout.split_stack = MarkedRanges(std::move(functions), /*max_bridge=*/0);
  } else if (split_stack_linked) {
    layout.text = Range{0, 0};
  }
  if (__morestack != nullptr && !InRanges(layout.split_stack, reinterpret_cast<uintptr_t>(__morestack)))
    layout.text = Range{0, 0};
  layout.ready = true;
}

bool PreemptiblePC(uintptr_t pc) {
  const Layout& layout = TheLayout();
  if (!layout.ready) return false;
  if (pc < layout.text.lo || pc >= layout.text.hi) return false;
  if (pc >= layout.runtime.lo && pc < layout.runtime.hi) return false;
  return !InRanges(layout.sanitizer, pc) && !InRanges(layout.split_stack, pc);
}

}  // namespace goruntime::detail

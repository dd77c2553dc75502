// Which code a goroutine may be preempted in (PreemptiblePC).
//
// A goroutine may be preempted at a PC in the main executable's text (its
// executable PT_LOAD segments), except
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
// Nothing outside the main executable is preemptible: libc, libstdc++,
// libgcc_s's unwinder, ld.so, the vDSO, Boost.Context, and the project's own
// shared objects (Bazel links tests against the runtime and other libraries
// as .so files; code there is simply never preempted). A library may hold a
// lock of its own (malloc's arena lock) that another goroutine would then
// wait for on the only P, with no way to tell; so its code is never
// interrupted, and a goroutine that spins inside it is retried at the next
// tick, as Go does with a goroutine in assembly without safe-point metadata.
//
// A template instance that both the runtime and the program emit (a COMDAT
// such as std::vector<int>::push_back) is kept once, from whichever object
// the linker met first, so the runtime may call such code in the program's
// text. Every runtime lock raises the no-preemption depth (nopreempt.h), so
// no such call under a lock is ever preempted; outside a lock the runtime
// calls only its own types' instances, which the program never emits.
//
// Statically linked third-party code (a static allocator, say) counts as the
// program's: link such libraries dynamically, or set GODEBUG=asyncpreemptoff=1.
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
  Range exe[8];  // the main executable's executable segments
  int nexe = 0;
  Range runtime{0, 0};
  std::vector<Range> sanitizer;  // sorted, disjoint
};

Layout& TheLayout() {
  static Layout* layout = new Layout;  // used by signal handlers until _exit
  return *layout;
}

int FindMainExecutable(dl_phdr_info* info, size_t, void* data) {
  auto* layout = static_cast<Layout*>(data);
  // The first object dl_iterate_phdr reports is the main program.
  for (int i = 0; i < info->dlpi_phnum && layout->nexe < 8; i++) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_LOAD || (ph.p_flags & PF_X) == 0) continue;
    const uintptr_t lo = info->dlpi_addr + ph.p_vaddr;
    layout->exe[layout->nexe++] = Range{lo, lo + ph.p_memsz};
  }
  return 1;  // stop after the first object
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

struct Symbol {
  uintptr_t lo, hi;
  bool sanitizer;
};

// The code ranges of the sanitizer runtime among the executable's function
// symbols: its named functions, and runs of at most kMaxBridge others
// between two of them (see the top of this file).
std::vector<Range> SanitizerRanges(std::vector<Symbol> syms) {
  constexpr size_t kMaxBridge = 8;
  std::sort(syms.begin(), syms.end(), [](const Symbol& a, const Symbol& b) { return a.lo < b.lo; });
  std::vector<Range> out;
  size_t last = SIZE_MAX;  // index of the previous sanitizer symbol
  for (size_t i = 0; i < syms.size(); i++) {
    if (!syms[i].sanitizer) continue;
    const bool bridge = last != SIZE_MAX && i - last - 1 <= kMaxBridge;
    if (bridge && !out.empty()) {
      out.back().hi = std::max(out.back().hi, syms[i].hi);
    } else {
      out.push_back(Range{syms[i].lo, syms[i].hi});
    }
    last = i;
  }
  return out;
}

// The sanitizer runtime's code in the executable, from its symbol table.
// False when the table cannot be read (a stripped executable).
bool ReadSanitizerRanges(uintptr_t bias, std::vector<Range>* out) {
  const int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st;
  void* map = MAP_FAILED;
  if (fstat(fd, &st) == 0 && st.st_size > 0)
    map = mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  if (map == MAP_FAILED) return false;
  const auto* base = static_cast<const unsigned char*>(map);
  const size_t size = static_cast<size_t>(st.st_size);
  const auto* eh = reinterpret_cast<const Elf64_Ehdr*>(base);
  bool found = false;
  std::vector<Symbol> functions;
  if (size >= sizeof(Elf64_Ehdr) && memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0 &&
      eh->e_ident[EI_CLASS] == ELFCLASS64 && eh->e_shoff + eh->e_shnum * sizeof(Elf64_Shdr) <= size) {
    const auto* sh = reinterpret_cast<const Elf64_Shdr*>(base + eh->e_shoff);
    for (int i = 0; i < eh->e_shnum; i++) {
      if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum) continue;
      const Elf64_Shdr& strtab = sh[sh[i].sh_link];
      if (sh[i].sh_offset + sh[i].sh_size > size || strtab.sh_offset + strtab.sh_size > size) continue;
      const auto* syms = reinterpret_cast<const Elf64_Sym*>(base + sh[i].sh_offset);
      const size_t nsyms = sh[i].sh_size / sizeof(Elf64_Sym);
      const char* names = reinterpret_cast<const char*>(base + strtab.sh_offset);
      found = true;
      for (size_t k = 0; k < nsyms; k++) {
        const Elf64_Sym& s = syms[k];
        if (ELF64_ST_TYPE(s.st_info) != STT_FUNC && ELF64_ST_TYPE(s.st_info) != STT_GNU_IFUNC) continue;
        if (s.st_shndx == SHN_UNDEF || s.st_name >= strtab.sh_size) continue;
        const uintptr_t lo = bias + s.st_value;
        functions.push_back(Symbol{lo, lo + (s.st_size > 0 ? s.st_size : 1), IsSanitizerFunction(names + s.st_name)});
      }
    }
  }
  munmap(map, size);
  *out = SanitizerRanges(std::move(functions));
  return found;
}

int MainBias(dl_phdr_info* info, size_t, void* data) {
  *static_cast<uintptr_t*>(data) = info->dlpi_addr;
  return 1;
}
#endif  // GORT_SANITIZER_RUNTIME_IN_EXE

}  // namespace

void InitCodeLayout() {
  Layout& layout = TheLayout();
  if (layout.ready) return;
  dl_iterate_phdr(FindMainExecutable, &layout);
  layout.runtime = Range{reinterpret_cast<uintptr_t>(__start_goruntime_text),
                         reinterpret_cast<uintptr_t>(__stop_goruntime_text)};
#if defined(GORT_SANITIZER_RUNTIME_IN_EXE)
  uintptr_t bias = 0;
  dl_iterate_phdr(MainBias, &bias);
  // Without the symbol table the sanitizer's code cannot be told from the
  // program's: then nothing is preemptible.
  if (!ReadSanitizerRanges(bias, &layout.sanitizer)) layout.nexe = 0;
#endif
  layout.ready = true;
}

bool PreemptiblePC(uintptr_t pc) {
  const Layout& layout = TheLayout();
  if (!layout.ready) return false;
  if (pc >= layout.runtime.lo && pc < layout.runtime.hi) return false;
  bool in_exe = false;
  for (int i = 0; i < layout.nexe && !in_exe; i++) in_exe = pc >= layout.exe[i].lo && pc < layout.exe[i].hi;
  if (!in_exe) return false;
  const auto& san = layout.sanitizer;
  auto it = std::upper_bound(san.begin(), san.end(), pc, [](uintptr_t v, const Range& r) { return v < r.lo; });
  if (it != san.begin() && pc < std::prev(it)->hi) return false;
  return true;
}

}  // namespace goruntime::detail

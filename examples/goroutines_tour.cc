// A short tour of the reference runtime for newcomers:
//   bazel run //examples:goroutines_tour
// It starts goroutines, yields with Gosched, ends one with Goexit (whose
// defers still run, last-in first-out), and counts goroutines as they come
// and go.
#include <cstdio>

#include "runtime/chan.h"
#include "runtime/runtime.h"

namespace rt = goruntime;

int main() {
  rt::Run([] {
    std::printf("main: GOMAXPROCS=%d, NumGoroutine=%d\n", rt::GOMAXPROCS(0), rt::NumGoroutine());

    // Two goroutines take turns through Gosched on one P.
    rt::GOMAXPROCS(1);
    auto done = rt::Chan<int>::Make();
    for (int id = 1; id <= 2; id++) {
      rt::Go([id, done] {
        for (int i = 0; i < 3; i++) {
          std::printf("  goroutine %d: step %d\n", id, i);
          rt::Gosched();
        }
        done.Send(id);
      });
    }
    done.Recv();
    done.Recv();

    // Goexit runs the pending defers of every frame, newest first.
    rt::Go([done] {
      rt::Defer([done] { std::printf("  deferred in the goroutine body (runs last)\n"); done.Send(0); });
      rt::Call([] {
        rt::Defer([] { std::printf("  deferred in the inner frame (runs first)\n"); });
        std::printf("  calling Goexit\n");
        rt::Goexit();
      });
      std::printf("  never printed\n");
    });
    done.Recv();

    // recover stops a panic in the frame that deferred it.
    rt::Call([] {
      rt::Defer([] { std::printf("  recovered: %s\n", rt::Recover().ToString().c_str()); });
      rt::Panic("something went wrong");
    });

    std::printf("main: NumGoroutine=%d, returning (exit status 0)\n", rt::NumGoroutine());
  });
}

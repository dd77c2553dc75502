#!/usr/bin/env python3
"""pythreads: a goroutine runtime made of Python threads, and its goconform driver.

An example of a runtime that lives outside the goconform tree and talks to
the suite only through the driver protocol (conformance/INTERPRETING.md):

    pythreads_driver.py --capabilities    describe the runtime (protocol 2)
    pythreads_driver.py FILE.scn          run one scenario, trace on stdout

Every goroutine is a Python thread. Channels, select, defer/panic/recover
and Goexit are this file's own (a "native" family each); there is no
deadlock detector, so that family is declared "absent" and the scenarios
that need it are UNSUPPORTED. Nothing here imports goconform code.
"""

import collections
import json
import os
import random
import re
import sys
import threading
import time

PROTOCOL = """goconform-protocol 2
capability os-threads
capability syscalls
capability preemptive
family defer native
family panic native
family goexit native
family channels native
family select native
family deadlock absent
family numgoroutine native
family timers native
identity pythreads 1.0 on CPython {python} (one thread per goroutine)
"""

DRIVER_ERROR = 125  # the scenario cannot be run at all (INTERPRETING.md)

# --- the scenario language (the body; the runner reads the header) ----------

TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|==|!=|<=|>=|<|>|\$\w+|[\w\-.*:/,\[\]+][\w\-.*:/,\[\]+=]*|;|\S')
BLOCKS = ("go", "defer", "call", "repeat", "init")


class ParseError(Exception):
    pass


class Stmt:
    def __init__(self, line, col, op, args):
        self.line, self.col, self.op, self.args = line, col, op, args
        self.body = []      # go, defer, call, repeat, init
        self.cases = []     # select: (is_send, chan, value, body)
        self.default = None  # select: the default body, or None


def tokenize(text):
    """Each body line as (line number, [(column, token)]), comments removed."""
    lines = []
    for number, raw in enumerate(text.split("\n"), 1):
        if raw.lstrip().startswith("@"):
            continue
        toks = []
        for m in TOKEN.finditer(raw):
            if m.group().startswith("#"):
                break
            toks.append((m.start() + 1, m.group()))
        if toks:
            lines.append((number, toks))
    return lines


def operand(tok):
    if tok.startswith('"'):
        return ("str", tok[1:-1].replace('\\"', '"').replace("\\n", "\n").replace("\\t", "\t").replace("\\\\", "\\"))
    if tok.startswith("$"):
        return ("var", tok[1:])
    if re.fullmatch(r"-?\d+", tok):
        return ("int", int(tok))
    raise ParseError(f"expected an integer, a string or $var, found '{tok}'")


def parse_block(lines, at, top=False):
    """Statements from lines[at] up to 'end' (or the end, at top level)."""
    block = []
    while at < len(lines):
        number, toks = lines[at]
        word = toks[0][1]
        if word in ("end", "case", "default"):
            if top:
                raise ParseError(f"{number}:{toks[0][0]}: unexpected '{word}'")
            return block, at
        stmt = Stmt(number, toks[0][0], word, [t for _, t in toks[1:]])
        at += 1
        if word in BLOCKS:
            stmt.body, at = parse_block(lines, at)
            at = expect_end(lines, at, number)
        elif word == "select":
            at = parse_select(lines, at, stmt)
        block.append(stmt)
    if not top:
        raise ParseError(f"{lines[-1][0] if lines else 1}:1: a block is not closed with 'end'")
    return block, at


def expect_end(lines, at, opened):
    if at >= len(lines) or lines[at][1][0][1] != "end":
        raise ParseError(f"{opened}:1: block is not closed with 'end'")
    return at + 1


def parse_select(lines, at, stmt):
    while at < len(lines):
        number, toks = lines[at]
        words = [t for _, t in toks]
        if words[0] == "end":
            return at + 1
        body, at = parse_block(lines, at + 1)
        if words[0] == "default":
            stmt.default = body
        elif words[0] == "case" and len(words) >= 3 and words[1] in ("send", "recv"):
            stmt.cases.append((words[1] == "send", words[2], operand(words[3]) if words[1] == "send" else None, body))
        else:
            raise ParseError(f"{number}:{toks[0][0]}: expected 'case', 'default' or 'end' in select")
    raise ParseError(f"{stmt.line}:{stmt.col}: 'select' is not closed with 'end'")


def parse(path):
    with open(path, encoding="utf-8") as f:
        lines = tokenize(f.read())
    block, _ = parse_block(lines, 0, top=True)
    inits = [s.body for s in block if s.op == "init"]
    return inits, [s for s in block if s.op != "init"]


# --- the runtime ---------------------------------------------------------------

class GoPanic(Exception):
    """A Go panic. `link` is the panic it interrupted (Go prints the chain)."""

    def __init__(self, value, link=None):
        super().__init__(value)
        self.value, self.link, self.recovered, self.resume = value, link, False, None


class GoExit(BaseException):
    """runtime.Goexit: unwinds running defers; recover cannot stop it."""


class Frame:
    def __init__(self, panic=None):
        self.defers = []
        self.panic = panic  # the panic a deferred call was started by (recover's target)


class G:
    def __init__(self, gid):
        self.id, self.frames, self.locked = gid, [], 0


state = threading.local()
world = threading.Condition()  # guards every channel, and the goroutine count
goroutines = 1
out_lock = threading.Lock()
out_open = True


def emit(g, op, value):
    with out_lock:
        if out_open:
            sys.stdout.write(json.dumps({"g": g.id, "op": op, "value": str(value)}) + "\n")
            sys.stdout.flush()


def exit_process(code, message=""):
    """Ends the program: nothing is written after this (main returned, os.Exit, fatal)."""
    global out_open
    with out_lock:
        out_open = False
        sys.stdout.flush()
        if message:
            sys.stderr.write(message)
            sys.stderr.flush()
        os._exit(code)


def show(value):
    return value if isinstance(value, str) else str(value)


def panic_report(p, gid):
    chain = []
    while p is not None:
        chain.append(p)
        p = p.link
    lines = []
    for k, q in enumerate(reversed(chain)):
        lines.append(("\t" if k else "") + "panic: " + show(q.value) + (" [recovered]" if q.recovered else ""))
    return "\n".join(lines) + f"\n\ngoroutine {gid} [running]:\nmain.main()\n\tpythreads\n"


def call_frame(g, fn, started_by=None):
    """Runs fn as a function frame: its defers run LIFO when it returns or unwinds."""
    frame = Frame(started_by)
    g.frames.append(frame)
    try:
        fn()
        unwinding = None
    except (GoPanic, GoExit) as e:
        unwinding = e
    unwinding = run_defers(g, frame, unwinding)
    g.frames.pop()
    if unwinding is not None:
        raise unwinding


def run_defers(g, frame, unwinding):
    while frame.defers:
        deferred = frame.defers.pop()
        current = unwinding if isinstance(unwinding, GoPanic) else None
        try:
            call_frame(g, deferred, started_by=current)
        except GoPanic as p:
            if p.link is None and current is not None and p is not current:
                p.link = current  # a panic in a deferred call interrupts the one in progress
            if isinstance(unwinding, GoExit):
                p.resume = unwinding
            unwinding = p
            continue
        except GoExit as e:
            unwinding = e  # Goexit in a deferred call drops the panic in progress
            continue
        if current is not None and current.recovered:
            unwinding = current.resume  # recovered: the frame returns (or Goexit resumes)
    return unwinding


def do_recover(g):
    frame = g.frames[-1]
    p = frame.panic
    if p is None or p.recovered:
        return "nil"
    p.recovered = True
    return show(p.value)


class Chan:
    def __init__(self, cap):
        self.cap, self.buf, self.closed = cap, collections.deque(), False
        self.senders = []    # offers of blocked senders: [value, select, taken]
        self.receivers = []  # slots of blocked receivers: [select, value, ok, filled]


class Select:
    """Shared by the offers and slots of one blocked select: the first to fire wins."""

    def __init__(self):
        self.fired = None


def live(entry):
    sel = entry[1] if len(entry) == 3 else entry[0]
    return sel is None or sel.fired is None


def try_send(c, value, index=None):
    """Completes a send now if it can (caller holds `world`); raises on a closed channel."""
    if c.closed:
        raise GoPanic("send on closed channel")
    for slot in c.receivers:
        if not slot[3] and live(slot):
            if slot[0] is not None:
                slot[0].fired = slot
            slot[1], slot[2], slot[3] = value, True, True
            c.receivers.remove(slot)
            world.notify_all()
            return True
    if c.cap > 0 and len(c.buf) < c.cap:
        c.buf.append(value)
        world.notify_all()
        return True
    return False


def try_recv(c):
    """(value, ok) if a receive completes now (caller holds `world`), else None."""
    if c.buf:
        value = c.buf.popleft()
        for offer in c.senders:  # a blocked sender's value moves into the buffer
            if not offer[2] and live(offer):
                take(c, offer)
                c.buf.append(offer[0])
                break
        world.notify_all()
        return value, True
    for offer in c.senders:
        if not offer[2] and live(offer):
            take(c, offer)
            world.notify_all()
            return offer[0], True
    if c.closed:
        return 0, False
    return None


def take(c, offer):
    if offer[1] is not None:
        offer[1].fired = offer
    offer[2] = True
    c.senders.remove(offer)


def block_forever():
    with world:
        while True:
            world.wait()


def send(c, value):
    if c is None:
        block_forever()
    with world:
        if try_send(c, value):
            return
        offer = [value, None, False]
        c.senders.append(offer)
        world.notify_all()
        while not offer[2]:
            if c.closed:
                c.senders.remove(offer)
                raise GoPanic("send on closed channel")
            world.wait()


def recv(c):
    if c is None:
        block_forever()
    with world:
        got = try_recv(c)
        if got is not None:
            return got
        slot = [None, 0, False, False]
        c.receivers.append(slot)
        while not slot[3]:
            if c.closed and not c.buf:
                c.receivers.remove(slot)
                return 0, False
            world.wait()
            got = try_recv(c) if not slot[3] else None
            if got is not None:
                c.receivers.remove(slot)
                return got
        return slot[1], slot[2]


def close(c):
    if c is None:
        raise GoPanic("close of nil channel")
    with world:
        if c.closed:
            raise GoPanic("close of closed channel")
        c.closed = True
        world.notify_all()


def select(cases, has_default):
    """cases: (is_send, chan or None, value). Returns (index or -1, (value, ok) or None)."""
    with world:
        while True:
            ready = []
            for k, (is_send, c, value) in enumerate(cases):
                if c is None:
                    continue
                if is_send and (c.closed or (c.cap > 0 and len(c.buf) < c.cap) or any(not s[3] and live(s) for s in c.receivers)):
                    ready.append(k)
                if not is_send and (c.buf or c.closed or any(not o[2] and live(o) for o in c.senders)):
                    ready.append(k)
            if ready:
                k = random.choice(ready)
                is_send, c, value = cases[k]
                if is_send:
                    try_send(c, value)
                    return k, None
                return k, try_recv(c)
            if has_default:
                return -1, None
            sel = Select()
            entries = []
            for k, (is_send, c, value) in enumerate(cases):
                if c is None:
                    continue
                entry = [value, sel, False] if is_send else [sel, 0, False, False]
                (c.senders if is_send else c.receivers).append(entry)
                entries.append((k, c, entry))
            world.notify_all()
            while sel.fired is None:
                world.wait()
                if any(c.closed for _, c, _ in entries):
                    break
            for k, c, entry in entries:
                queue = c.senders if cases[k][0] else c.receivers
                if entry in queue:
                    queue.remove(entry)
                if entry is sel.fired:
                    return k, None if cases[k][0] else (entry[1], entry[2])
            # a channel closed: look again


# --- the interpreter -------------------------------------------------------------

class Program:
    def __init__(self, inits, main):
        self.inits, self.main = inits, main
        self.vars = collections.defaultdict(int)
        self.vars_lock = threading.Lock()
        self.chans = {}
        self.next_g = 2
        self.threads = {}
        self.maxprocs = int(os.environ.get("GOMAXPROCS", "0") or 0) or os.cpu_count() or 1

    def value(self, operand):
        kind, v = operand
        if kind == "var":
            with self.vars_lock:
                return self.vars[v]
        return v

    def run_block(self, g, block):
        for s in block:
            self.run(g, s)

    def go(self, body):
        global goroutines
        with world:
            gid, self.next_g = self.next_g, self.next_g + 1
            goroutines += 1
        g = G(gid)
        threading.Thread(target=self.goroutine, args=(g, body), daemon=True).start()

    def goroutine(self, g, body):
        global goroutines
        state.g = g
        try:
            call_frame(g, lambda: self.run_block(g, body))
        except GoPanic as p:
            exit_process(2, panic_report(p, g.id))
        except GoExit:
            pass
        with world:
            goroutines -= 1
            world.notify_all()

    def thread_token(self):
        with world:
            return self.threads.setdefault(threading.get_native_id(), f"T{len(self.threads) + 1}")

    def poll(self, g, s):
        subject, cmp, k, ms = s.args[0], s.args[1], int(s.args[2]), int(s.args[4])
        holds = {"==": lambda v: v == k, "!=": lambda v: v != k, "<=": lambda v: v <= k,
                 ">=": lambda v: v >= k, "<": lambda v: v < k, ">": lambda v: v > k}[cmp]
        deadline = time.monotonic() + ms / 1000
        attempt = 0
        while True:
            v = goroutines if subject == "numgoroutine" else self.value(("var", subject[1:]))
            if holds(v) or time.monotonic() >= deadline:
                return emit(g, "poll", v)
            time.sleep(0 if attempt < 100 or "yielding" in s.args else 0.001)
            attempt += 1

    def run(self, g, s):
        op, a = s.op, s.args
        if op == "go":
            self.go(s.body)
        elif op == "gosched":
            time.sleep(0)
        elif op == "goexit":
            raise GoExit()
        elif op == "defer":
            g.frames[-1].defers.append(lambda body=s.body: self.run_block(g, body))
        elif op == "defer-value":
            text = f"{a[0]}={self.value(('var', a[0]))}"
            g.frames[-1].defers.append(lambda: emit(g, "value", text))
        elif op == "panic":
            raise GoPanic(self.value(operand(a[0])))
        elif op == "recover":
            emit(g, "recover", do_recover(g))
        elif op == "call":
            call_frame(g, lambda: self.run_block(g, s.body))
        elif op == "record":
            emit(g, "record", operand(a[0])[1] if a[0].startswith('"') else a[0])
        elif op == "chan":
            self.chans[a[0]] = None if a[1] == "nil" else Chan(int(a[1]))
        elif op == "send":
            send(self.chans.get(a[0]), self.value(operand(a[1])))
        elif op == "recv":
            v, ok = recv(self.chans.get(a[0]))
            emit(g, "recv", f"{v},{'true' if ok else 'false'}")
        elif op == "close":
            close(self.chans.get(a[0]))
        elif op == "select":
            cases = [(is_send, self.chans.get(c), self.value(v) if is_send else None) for is_send, c, v, _ in s.cases]
            k, got = select(cases, s.default is not None)
            emit(g, "select", "default" if k < 0 else k)
            if k >= 0 and got is not None:
                emit(g, "recv", f"{got[0]},{'true' if got[1] else 'false'}")
            self.run_block(g, s.default if k < 0 else s.cases[k][3])
        elif op in ("sleep", "syscall"):
            if a[0] == "until":
                while self.value(("var", a[1][1:])) == 0:
                    time.sleep(0.001)
            else:
                time.sleep(int(a[0]) / 1000)
        elif op == "lock":
            g.locked += 1
        elif op == "unlock":
            g.locked = max(0, g.locked - 1)
        elif op == "thread":
            emit(g, "thread", self.thread_token())
        elif op == "numgoroutine":
            emit(g, "numgoroutine", goroutines)
        elif op == "gomaxprocs":
            previous = self.maxprocs
            if int(a[0]) > 0:
                self.maxprocs = int(a[0])
            emit(g, "gomaxprocs", previous)
        elif op in ("setmaxstack", "recurse"):
            # No stack limit API at all (stack-limit is not declared): the
            # scenarios that use one are UNSUPPORTED and never get here.
            exit_process(DRIVER_ERROR, f"{s.line}:{s.col}: pythreads has no stack limit ('{op}')\n")
        elif op == "spin":
            if a[0] == "until":
                while self.value(("var", a[1][1:])) == 0:
                    pass
            else:
                for _ in range(int(a[0])):
                    pass
        elif op == "repeat":
            for _ in range(int(a[0])):
                self.run_block(g, s.body)
        elif op in ("set", "add"):
            v = self.value(operand(a[1]))
            with self.vars_lock:
                self.vars[a[0]] = v if op == "set" else self.vars[a[0]] + v
        elif op == "value":
            emit(g, "value", f"{a[0]}={self.value(('var', a[0]))}")
        elif op == "poll":
            self.poll(g, s)
        elif op == "exit":
            exit_process(int(a[0]))
        else:
            raise ParseError(f"{s.line}:{s.col}: unknown statement '{op}'")

    def run_main(self):
        global goroutines
        g = G(1)
        state.g = g
        try:
            for body in self.inits:
                call_frame(g, lambda body=body: self.run_block(g, body))
            call_frame(g, lambda: self.run_block(g, self.main))
        except GoPanic as p:
            exit_process(2, panic_report(p, 1))
        except GoExit:
            # Main called Goexit: the others run on. With no deadlock
            # detector (family absent), nothing ends the program but them.
            with world:
                goroutines -= 1
                world.notify_all()
            block_forever()
        exit_process(0)


def main(argv):
    if argv[1:] == ["--capabilities"]:
        sys.stdout.write(PROTOCOL.format(python=sys.version.split()[0]))
        return 0
    if len(argv) != 2:
        sys.stderr.write("usage: pythreads_driver.py SCENARIO.scn | --capabilities\n")
        return DRIVER_ERROR
    try:
        inits, body = parse(argv[1])
    except (OSError, ParseError) as e:
        sys.stderr.write(f"{argv[1]}:{e}\n")
        return DRIVER_ERROR
    threading.stack_size(256 * 1024)  # thousands of goroutines fit
    Program(inits, body).run_main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

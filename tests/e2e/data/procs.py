"""threading and subprocess in CPython, for the e2e tests: run with
/usr/bin/python3 procs.py. Prints only deterministic results (no pids,
timings or thread identities; lists gathered from threads are sorted)."""
import concurrent.futures
import os
import queue
import signal
import subprocess
import sys
import threading


def threads():
    lock = threading.Lock()
    counter = [0]

    def work(n):
        for _ in range(n):
            with lock:
                counter[0] += 1

    ts = [threading.Thread(target=work, args=(5000,), name="w%d" % i) for i in range(8)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    print("threads: 8 threads x 5000 increments under a Lock:", counter[0])
    print("threads: all joined, none alive:", not any(t.is_alive() for t in ts))

    q = queue.Queue(maxsize=4)
    totals = queue.Queue()

    def producer(base):
        for i in range(200):
            q.put(base + i)

    def consumer():
        total = 0
        while True:
            item = q.get()
            if item is None:
                totals.put(total)
                return
            total += item

    producers = [threading.Thread(target=producer, args=(1000 * p,)) for p in range(3)]
    consumers = [threading.Thread(target=consumer) for _ in range(3)]
    for t in producers + consumers:
        t.start()
    for t in producers:
        t.join()
    for _ in consumers:
        q.put(None)
    for t in consumers:
        t.join()
    got = sum(totals.get() for _ in consumers)
    want = sum(1000 * p + i for p in range(3) for i in range(200))
    print("threads: Queue producer/consumer sum:", got, "expected:", want)

    local = threading.local()
    seen = []
    barrier = threading.Barrier(4)

    def tl(i):
        local.value = i
        barrier.wait()
        with lock:
            seen.append((i, local.value))

    ts = [threading.Thread(target=tl, args=(i,)) for i in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    print("threads: threading.local after a Barrier:", sorted(seen))

    ev = threading.Event()
    cond = threading.Condition()
    state = {"ready": 0}

    def waiter():
        with cond:
            state["ready"] += 1
            cond.notify_all()
        ev.wait()

    ts = [threading.Thread(target=waiter, daemon=True) for _ in range(3)]
    for t in ts:
        t.start()
    with cond:
        cond.wait_for(lambda: state["ready"] == 3)
    ev.set()
    for t in ts:
        t.join()
    print("threads: Condition + Event released", state["ready"], "daemon threads")

    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as ex:
        print("threads: ThreadPoolExecutor.map:", list(ex.map(lambda x: x * x, range(10))))


def processes():
    r = subprocess.run(["/bin/echo", "x"], capture_output=True)
    print("subprocess: run(echo x):", r.returncode, r.stdout, r.stderr)

    data = b"".join(b"line %d through cat\n" % i for i in range(5000))
    p = subprocess.Popen(["/bin/cat"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    out, _ = p.communicate(data)
    print("subprocess: Popen(cat) with pipes:", len(out), "bytes, same:", out == data,
          "returncode:", p.returncode)

    try:
        subprocess.check_output(["sh", "-c", "exit 4"])
        print("subprocess: check_output did not raise")
    except subprocess.CalledProcessError as e:
        print("subprocess: CalledProcessError returncode:", e.returncode)

    r = subprocess.run(["sh", "-c", "echo out; echo err >&2; exit 2"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    print("subprocess: separate stdout/stderr:", r.stdout, r.stderr, r.returncode)

    r = subprocess.run("echo $((6 * 7)) | tr 4 X", shell=True, capture_output=True, text=True)
    print("subprocess: shell=True pipeline:", repr(r.stdout))

    p = subprocess.Popen(["sleep", "30"])
    p.terminate()
    print("subprocess: terminate() -> returncode", p.wait())

    try:
        subprocess.run(["sleep", "30"], timeout=0.2)
    except subprocess.TimeoutExpired:
        print("subprocess: TimeoutExpired raised (the child is killed)")

    try:
        subprocess.run(["/nonexistent/hl-program"])
    except FileNotFoundError as e:
        print("subprocess: missing program: FileNotFoundError errno", e.errno)

    outs = []
    lock = threading.Lock()

    def runner(i):
        o = subprocess.check_output(["/bin/echo", "from thread %d" % i])
        with lock:
            outs.append(o)

    ts = [threading.Thread(target=runner, args=(i,)) for i in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    print("subprocess: from 4 threads at once:", sorted(outs))

    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:
        print("os.fork: in the child")
        sys.stdout.flush()
        os._exit(13)
    _, status = os.waitpid(pid, 0)
    print("os.fork: child exit status", os.waitstatus_to_exitcode(status))


def signals():
    got = []
    signal.signal(signal.SIGUSR1, lambda s, f: got.append(signal.Signals(s).name))
    os.kill(os.getpid(), signal.SIGUSR1)
    signal.raise_signal(signal.SIGUSR1)
    print("signal: handler calls:", got)
    signal.signal(signal.SIGUSR1, signal.SIG_DFL)


threads()
processes()
signals()
print("done")

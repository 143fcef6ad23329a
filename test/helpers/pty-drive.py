"""Drive a command through a real pseudo-terminal, answering prompts as they appear.

Usage: pty-drive.py SCRIPT_JSON -- COMMAND...
SCRIPT_JSON is a list of [regex, text]: wait until the screen output (since the previous answer)
matches regex, then type text. Prints the whole transcript; exits with the command's exit code
(or 124 if a prompt never appeared within the timeout).
"""
import json, os, pty, re, select, sys, time

def main():
    sep = sys.argv.index("--")
    steps = json.loads(sys.argv[1])
    cmd = sys.argv[sep + 1:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(cmd[0], cmd)
    transcript, pending = b"", b""
    deadline_per_step = 20.0

    def read_some(timeout):
        nonlocal transcript, pending
        r, _, _ = select.select([fd], [], [], timeout)
        if not r:
            return True
        try:
            data = os.read(fd, 65536)
        except OSError:
            return False
        if not data:
            return False
        transcript += data
        pending += data
        return True

    # ANSI escapes make the raw stream hard to match: strip them before matching.
    ansi = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")
    for pattern, text in steps:
        start = time.time()
        while not re.search(pattern.encode(), ansi.sub(b"", pending)):
            if time.time() - start > deadline_per_step or not read_some(0.2):
                sys.stdout.write(transcript.decode(errors="replace"))
                sys.stdout.write(f"\n[pty-drive] timed out waiting for {pattern!r}\n")
                os.kill(pid, 9)
                sys.exit(124)
        pending = b""
        time.sleep(0.05)
        os.write(fd, text.encode())
    while read_some(5):
        pass
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(transcript.decode(errors="replace"))
    sys.exit(os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode") else status >> 8)

main()

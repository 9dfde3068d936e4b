#!/usr/bin/env python3
"""The README's two set-up commands, in the README's order, in a fresh copy of the repository.

    setup_test.py REPO_ROOT OUTER_BUILD_DIR

`bash .ci/setup.sh example` then `bash .ci/setup.sh test` (Release pass only: the copy runs with
CRMKPI_SETUP_PASSES=release) must build and run the whole suite: the second command once printed
`No tests were found!!!` and passed, because the first had cached CRMKPI_BUILD_TESTS=OFF in build/.
The copy's ctest must run as many tests as OUTER_BUILD_DIR holds, less this one (the copy is
configured with CRMKPI_SETUP_SELFTEST set, which leaves this test out, so it does not recurse).
Exits 77 (skipped) when git is missing or the repository is not a git checkout.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile


def main():
    root, outer = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    if shutil.which("git") is None or not os.path.isdir(os.path.join(root, ".git")):
        print("skipped: needs git and a git checkout")
        return 77
    listed = subprocess.run(["ctest", "--test-dir", outer, "-N"], capture_output=True, text=True,
                            check=True).stdout
    total = int(re.search(r"Total Tests: (\d+)", listed).group(1))
    want = total - 1  # this test is left out of the copy's suite
    files = subprocess.run(["git", "-C", root, "ls-files", "-z"], capture_output=True,
                           check=True).stdout.decode().split("\0")
    with tempfile.TemporaryDirectory(prefix="crmkpi-setup-") as tmp:
        copy = os.path.join(tmp, "main")
        for name in files:
            if not name or not os.path.lexists(os.path.join(root, name)):
                continue
            dst = os.path.join(copy, name)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copy2(os.path.join(root, name), dst, follow_symlinks=False)
        shared = os.path.join(root, "..", "shared")
        if os.path.isdir(shared):
            os.symlink(os.path.abspath(shared), os.path.join(tmp, "shared"))
        env = dict(os.environ, CRMKPI_SETUP_PASSES="release", CRMKPI_SETUP_SELFTEST="1")
        failures = 0
        for mode in ("example", "test"):
            proc = subprocess.run(["bash", ".ci/setup.sh", mode], cwd=copy, env=env,
                                  stdin=subprocess.DEVNULL, capture_output=True, text=True)
            out = proc.stdout + proc.stderr
            print(f"== bash .ci/setup.sh {mode}: exit {proc.returncode}")
            if proc.returncode != 0:
                print(out[-4000:])
                failures += 1
                continue
            if mode == "example" and "crmkpi report: examples/deals.csv" not in out:
                print("example: the report on examples/ was not printed\n" + out[-2000:])
                failures += 1
            if mode == "test":
                if "No tests were found" in out:
                    print("test: ctest found no tests")
                    failures += 1
                ran = re.findall(r"(\d+)% tests passed, (\d+) tests? failed out of (\d+)", out)
                counts = [int(r[2]) for r in ran]
                print(f"test: ctest passes ran {counts}, expected [{want}]")
                if counts != [want]:
                    failures += 1
        if failures:
            print("FAILED")
            return 1
        print(f"ok: example then test ran the full suite ({want} tests)")
        return 0


if __name__ == "__main__":
    sys.exit(main())

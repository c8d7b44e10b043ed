#!/usr/bin/env python3
"""Runs a buildspec's phases the way CodeBuild does, on a fresh copy of the repository,
so a broken buildspec.yml fails here instead of in the customer's pipeline.

What is emulated (CodeBuild buildspec version 0.2):
- the source is a fresh copy of what a commit would hold (tracked files and untracked
  ones not ignored), in a directory of its own: CODEBUILD_SRC_DIR;
- the environment is CodeBuild's variables (CODEBUILD_BUILD_ID, CODEBUILD_SRC_DIR,
  CODEBUILD_INITIATOR, CODEBUILD_RESOLVED_SOURCE_VERSION, CODEBUILD_BUILD_SUCCEEDING,
  AWS_REGION, ...), then `env.variables`, and nothing of the caller's except PATH,
  HOME and where cargo and rustup live (no CI, no AWS credentials);
- one shell (`env.shell`) runs every command of every phase in order, so `export`
  and `cd` carry over; a failing command fails its phase. A failed install or
  pre_build ends the build; a failed build still runs post_build, with
  CODEBUILD_BUILD_SUCCEEDING=0;
- `artifacts`: every pattern under `base-directory` must match a file, or the build
  fails as CodeBuild's upload would.

Usage: codebuild.py BUILDSPEC REPOSITORY WORKDIR [NAME=VALUE ...]  (extra variables,
as the project's environment variables would set them). Exit 0 when the build
succeeded. Prints each phase's outcome.
"""
import glob
import os
import pathlib
import shlex
import shutil
import subprocess
import sys
import time
import uuid

import yaml

PHASES = ["install", "pre_build", "build", "post_build"]
KEPT = ["PATH", "HOME", "CARGO_HOME", "RUSTUP_HOME", "CARGO_TARGET_DIR", "TMPDIR", "LANG"]


def fresh_copy(repo, dest):
    files = subprocess.run(
        ["git", "-C", repo, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        check=True, capture_output=True).stdout.split(b"\0")
    for name in filter(None, files):
        src = os.path.join(repo, name.decode())
        if not os.path.isfile(src):  # deleted in the working tree
            continue
        target = os.path.join(dest, name.decode())
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(src, target)
    commit = subprocess.run(["git", "-C", repo, "rev-parse", "HEAD"], capture_output=True, text=True)
    return commit.stdout.strip()


def environment(src, commit, spec_vars, extra):
    build = f"fedramp-inventory-build:{uuid.uuid4()}"
    env = {k: os.environ[k] for k in KEPT if k in os.environ}
    env.update({
        "CODEBUILD_BUILD_ID": build,
        "CODEBUILD_BUILD_ARN": f"arn:aws:codebuild:us-east-1:123456789012:build/{build}",
        "CODEBUILD_BUILD_NUMBER": "1",
        "CODEBUILD_BUILD_IMAGE": "aws/codebuild/amazonlinux-x86_64-standard:5.0",
        "CODEBUILD_INITIATOR": "codepipeline/fedramp-inventory-pipeline",
        "CODEBUILD_SRC_DIR": src,
        "CODEBUILD_SOURCE_VERSION": "arn:aws:s3:::pipeline-bucket/source/repository.zip",
        "CODEBUILD_RESOLVED_SOURCE_VERSION": commit,
        "CODEBUILD_START_TIME": str(int(time.time() * 1000)),
        "CODEBUILD_KMS_KEY_ID": "arn:aws:kms:us-east-1:123456789012:alias/aws/s3",
        "CODEBUILD_BUILD_SUCCEEDING": "1",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
    })
    env.update({k: str(v) for k, v in (spec_vars or {}).items()})
    env.update(extra)
    return env


def script(spec):
    """One shell program running every phase's commands, reporting each phase."""
    lines = ["__failed_phase=", ""]
    for phase in PHASES:
        commands = ((spec.get("phases") or {}).get(phase) or {}).get("commands") or []
        guard = '[ -z "$__failed_phase" ]' if phase != "post_build" else \
            '[ -z "$__failed_phase" ] || [ "$__failed_phase" = build ]'
        lines.append(f"if {guard}; then")
        lines.append("  __start=$SECONDS")
        lines.append(f"  echo '[codebuild] phase {phase}: {len(commands)} commands'")
        for cmd in commands:
            lines.append(f"  if [ -z \"$__phase_failed\" ]; then echo {shlex.quote('[codebuild] $ ' + cmd)}")
            lines.append("    " + cmd.replace("\n", "\n    "))
            lines.append(f"    __rc=$?; if [ $__rc -ne 0 ]; then __phase_failed=1; "
                         f"echo \"[codebuild] phase {phase} FAILED (exit $__rc)\"; fi")
            lines.append("  fi")
        lines.append(f"  if [ -n \"$__phase_failed\" ]; then __failed_phase=${{__failed_phase:-{phase}}}; "
                     f"export CODEBUILD_BUILD_SUCCEEDING=0; __phase_failed=; "
                     f"else echo \"[codebuild] phase {phase} SUCCEEDED ($((SECONDS - __start)) s)\"; fi")
        lines.append("fi")
    lines.append('[ -z "$__failed_phase" ] || exit 1')
    return "\n".join(lines) + "\n"


def check_artifacts(spec, src):
    arts = spec.get("artifacts") or {}
    base = os.path.join(src, arts.get("base-directory", "."))
    missing = [p for p in arts.get("files", []) if not [f for f in glob.glob(os.path.join(base, p), recursive=True)
                                                      if os.path.isfile(f)]]
    for p in missing:
        print(f"[codebuild] UPLOAD_ARTIFACTS FAILED: no file matches {p!r} under {base}")
    return not missing


def main():
    buildspec, repo, work = sys.argv[1], os.path.abspath(sys.argv[2]), os.path.abspath(sys.argv[3])
    extra = dict(a.split("=", 1) for a in sys.argv[4:])
    spec = yaml.safe_load(pathlib.Path(buildspec).read_text(encoding="utf-8"))
    if str(spec.get("version")) != "0.2":
        sys.exit(f"[codebuild] buildspec version {spec.get('version')!r}: only 0.2 is emulated")
    unknown = set(spec.get("phases") or {}) - set(PHASES)
    if unknown:
        sys.exit(f"[codebuild] YAML_FILE_ERROR: unknown phases {sorted(unknown)}")
    src = os.path.join(work, "src")
    os.makedirs(src)
    commit = fresh_copy(repo, src)
    env = environment(src, commit, (spec.get("env") or {}).get("variables"), extra)
    shell = (spec.get("env") or {}).get("shell", "bash")
    done = subprocess.run([shell, "-c", script(spec)], cwd=src, env=env)
    ok = done.returncode == 0 and check_artifacts(spec, src)
    print(f"[codebuild] build {'SUCCEEDED' if ok else 'FAILED'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder image (Ubuntu 22.04).
# It leaves the system python3 alone: the grader and student code run in their own venv.
set -euxo pipefail
SOURCE=/autograder/source
VENV=/opt/autograder-venv

apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3-venv python3-dev
python3 -m venv "$VENV"
"$VENV/bin/pip" install --no-cache-dir --upgrade pip
# The CPU build of torch first (PyTorch's own index), then the rest of the pins.
"$VENV/bin/pip" install --no-cache-dir --index-url https://download.pytorch.org/whl/cpu \
    "$(grep -E '^torch==' "$SOURCE/requirements.txt")"
"$VENV/bin/pip" install --no-cache-dir -r "$SOURCE/requirements.txt"

# Student code runs as this user: it can read the venv and nothing of ours.
id -u student >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin student
chmod -R a+rX "$VENV"
chown -R root:root "$SOURCE"
chmod -R go-rwx "$SOURCE"
mkdir -p /autograder/results
chmod 700 /autograder/results

#!/usr/bin/env bash
# workerd for local runs (npm start, the tests, the bench), with V8 flags Miniflare cannot pass
# (MINIFLARE_WORKERD_PATH points here; SWITCHYARD_WORKERD_BIN is the real binary).
#
# Why: on a machine with few cores, local workerd can wedge for good under load. V8's platform gets
# one worker thread per core but one; when those threads are all parked waiting for a GC (a
# background compile that ran out of heap), the main thread, pumping V8's task queue after a JS
# continuation, keeps re-running cppgc's low-priority sweep task, which cannot finish without the
# concurrent sweep job those threads would run: 100 % CPU, no answers, for every tenant.
# `--single-threaded-gc` keeps cppgc's sweeping on the main thread, where it always progresses.
# SWITCHYARD_WORKERD_V8_FLAGS="" runs workerd unchanged.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="${SWITCHYARD_WORKERD_BIN:?SWITCHYARD_WORKERD_BIN must name the workerd binary}"
# Miniflare passes the config on stdin ("-") as binary Cap'n Proto (--binary). Anything else: as is.
if [[ "${SWITCHYARD_WORKERD_V8_FLAGS-x}" == "" || " $* " != *" --binary "* || " $* " != *" - "* ]]; then
  exec "$bin" "$@"
fi
# exec keeps this process's id, so Miniflare's SIGKILL reaches workerd itself.
exec "$bin" "$@" < <(node "$here/workerd-v8-flags.mjs")

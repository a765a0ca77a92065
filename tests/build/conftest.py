"""`make build-check`: tests of what `sam build` wrote, collected only when REGENTRA_BUILD_DIR names it
(the main run has no build to look at). See the README, "Build and deploy"."""

import os

if not os.environ.get("REGENTRA_BUILD_DIR"):
    collect_ignore_glob = ["test_*.py"]

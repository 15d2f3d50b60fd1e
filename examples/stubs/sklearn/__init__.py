"""Stand-in for scikit-learn: sleeps like the real import (about 0.7 s)."""

import time

time.sleep(0.7)

"""Stand-in for matplotlib: sleeps like `import matplotlib.pyplot` (about 0.3 s)."""

import time

time.sleep(0.3)

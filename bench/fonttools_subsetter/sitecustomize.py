"""Put on PYTHONPATH by ``bench/benchmark.py --fonttools-subsetter``: WeasyPrint then subsets
fonts with fontTools, as it does on a machine without HarfBuzz's subsetter (Debian's
libharfbuzz-subset0). Python runs this at the start of every process, workers included."""

import weasyprint.pdf.fonts

weasyprint.pdf.fonts.harfbuzz_subset = None

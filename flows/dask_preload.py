"""Dask worker preload (`preload=["flows.dask_preload"]`, set by `flows.ingest.task_runner`):
warm the transforms when a worker starts, so importing Polars, camel-tools' tables and the NER
model happens once per worker at start-up rather than inside its first batch.

On a real cluster start workers with the same preload:
`dask worker tcp://scheduler:8786 --nthreads 1 --preload flows.dask_preload` (docs/scale.md).
"""

import logging

from akhbar.pipeline import warm_up

log = logging.getLogger(__name__)


def dask_setup(worker) -> None:  # noqa: ARG001 - the signature Dask calls
    tokens = warm_up()
    log.info("akhbar transforms warm (%d tokens in the warm-up article)", tokens)

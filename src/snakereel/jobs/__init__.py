"""One module per kind of workflow job, each with `work(job)` (see snakereel.run).

A job imports only its own module, so each imports no more than its work needs."""

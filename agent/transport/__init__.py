"""Getting reports to the collector without losing any: config, spool, HTTP client, uploader."""

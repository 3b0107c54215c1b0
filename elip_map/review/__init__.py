"""Partner corrections, staff review with optimistic locking, the audit log and data-health queries."""

-- Reference data shipped with creditlake (src/reference/, see SOURCE.md there), as a warehouse table.
SELECT r.* FROM {{ reference_table('cbs_firms') }} r
ORDER BY branch_code, period_start

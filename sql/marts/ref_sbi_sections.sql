-- Reference data shipped with creditlake (src/reference/, see SOURCE.md there), as a warehouse table.
SELECT r.* FROM {{ reference_table('sbi_sections') }} r
ORDER BY sbi_section

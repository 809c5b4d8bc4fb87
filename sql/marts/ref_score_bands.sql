-- Reference data shipped with creditlake (src/reference/, see SOURCE.md there), as a warehouse table.
SELECT r.* FROM {{ reference_table('score_bands') }} r
ORDER BY score_scale, common_band, min_score, rating

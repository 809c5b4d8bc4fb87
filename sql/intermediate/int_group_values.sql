-- Every customer group a grouped mart reports (group_by, group_value from int_customer_groups)
-- plus the 'ALL' total: the group axis of the dense month × group frames.
SELECT DISTINCT group_by, group_value FROM {{ ref('int_customer_groups') }}
UNION ALL
SELECT 'ALL' AS group_by, 'ALL' AS group_value

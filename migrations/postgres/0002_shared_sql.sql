-- SQLite's functions that the db layer's shared SQL uses, with SQLite's meaning, so that one
-- statement serves both engines. Each is plain SQL, inlined by the planner.

-- `json_each($1)` over a JSON array of integers, as the db layer binds lists of ids (one text
-- parameter, static SQL): `key` is the 0-based position, `value` the integer. (PostgreSQL's own
-- json_each takes a json object; this one takes text.)
CREATE FUNCTION json_each(list TEXT) RETURNS TABLE (key BIGINT, value BIGINT)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT ordinality - 1, element::BIGINT
    FROM json_array_elements_text(list::JSON) WITH ORDINALITY AS e (element, ordinality)
$$;

-- SQLite's two-argument scalar max() and min(): NULL if either is NULL (GREATEST and LEAST
-- ignore NULLs).
CREATE FUNCTION max(a BIGINT, b BIGINT) RETURNS BIGINT
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN a IS NULL OR b IS NULL THEN NULL ELSE GREATEST(a, b) END
$$;

CREATE FUNCTION min(a BIGINT, b BIGINT) RETURNS BIGINT
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN a IS NULL OR b IS NULL THEN NULL ELSE LEAST(a, b) END
$$;

CREATE FUNCTION max(a DOUBLE PRECISION, b DOUBLE PRECISION) RETURNS DOUBLE PRECISION
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN a IS NULL OR b IS NULL THEN NULL ELSE GREATEST(a, b) END
$$;

CREATE FUNCTION min(a DOUBLE PRECISION, b DOUBLE PRECISION) RETURNS DOUBLE PRECISION
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN a IS NULL OR b IS NULL THEN NULL ELSE LEAST(a, b) END
$$;

-- SQLite's json_group_array(x): the group's values as a JSON array in text, '[]' for none.
-- The values come in the order the rows reach the aggregate, as in SQLite; statements that need
-- an order give it in a subquery.
CREATE FUNCTION json_group_array_final(items ANYCOMPATIBLEARRAY) RETURNS TEXT
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT COALESCE(array_to_json(items)::TEXT, '[]')
$$;

CREATE AGGREGATE json_group_array(ANYCOMPATIBLE) (
    SFUNC = array_append,
    STYPE = ANYCOMPATIBLEARRAY,
    FINALFUNC = json_group_array_final,
    INITCOND = '{}'
);

-- SQLite's group_concat(x) and group_concat(x, separator): the group's non-NULL values joined
-- (by ',' unless told), NULL for none.
CREATE FUNCTION group_concat_step(joined TEXT, item TEXT, separator TEXT) RETURNS TEXT
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN item IS NULL THEN joined
                WHEN joined IS NULL THEN item
                ELSE joined || separator || item END
$$;

CREATE FUNCTION group_concat_step(joined TEXT, item TEXT) RETURNS TEXT
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT group_concat_step(joined, item, ',')
$$;

CREATE AGGREGATE group_concat(TEXT) (SFUNC = group_concat_step, STYPE = TEXT);
CREATE AGGREGATE group_concat(TEXT, TEXT) (SFUNC = group_concat_step, STYPE = TEXT);

-- SQLite's instr(text, part): the 1-based position of part in text, 0 if absent.
CREATE FUNCTION instr(haystack TEXT, needle TEXT) RETURNS BIGINT
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT strpos(haystack, needle)
$$;

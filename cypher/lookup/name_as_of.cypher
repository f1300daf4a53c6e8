// name: lookup.name_as_of
// description: The name of an organisation on a day: the NAME_OF spell active on the day asked about by the as-of rule of PARENT_OF spells (a certainly active spell before a possibly active one, then the latest start); the organisation's current name when no dated name covers the day (dated = false).
// mode: read
// param orgId: string    an organisation id (a merged id is followed through MERGED_INTO) or an identifier key such as 'govuk:cabinet-office'
// param asOf: date       the day asked about; also a month ('2014-04') or a year ('2014'), as a date or text (see cypher/README.md)
// param mode: string     'certain' or 'possible' (anything else is an error)
// returns: id, name, currentName, dated, validFrom, validFromLatest, validTo, validToLatest, validFromPrecision, validToPrecision, validFromText, validToText, source, claimId
WITH CASE WHEN $mode IN ['certain', 'possible'] THEN $mode
            ELSE date("$mode must be 'certain' or 'possible', not " + coalesce(toString($mode), 'null')) END AS mode,
     CASE WHEN $asOf IS NULL THEN date('$asOf is missing: give a day, a month or a year, e.g. 2019-05-15')
          ELSE split(trim(toString($asOf)), 'T')[0] END AS asOfText
WITH mode, date(asOfText) AS asOfFrom,
     CASE size(replace(asOfText, '-', '')) WHEN 4 THEN duration('P1Y') WHEN 6 THEN duration('P1M')
                                           ELSE duration('P1D') END AS span
WITH mode, asOfFrom, asOfFrom + span - duration('P1D') AS asOfTo
CALL () {
  MATCH (o0:Organisation {id: $orgId}) RETURN o0
  UNION
  MATCH (:Identifier {key: $orgId})-[i WHERE type(i) = 'IDENTIFIES']->(o0:Organisation) RETURN o0
}
OPTIONAL MATCH (o0)-[m WHERE type(m) = 'MERGED_INTO']->{1,5}(o1:Organisation)
  WHERE NOT EXISTS { (o1)-[n WHERE type(n) = 'MERGED_INTO']->() }
WITH mode, asOfFrom, asOfTo, coalesce(o1, o0) AS o
LIMIT 1
OPTIONAL MATCH (o)<-[r WHERE type(r) = 'NAME_OF']-(a:Alias)
WHERE CASE mode
  WHEN 'certain' THEN r.validFromLatest <= asOfFrom
                  AND CASE WHEN r.validTo IS NULL THEN coalesce(r.isCurrent, true) ELSE asOfTo <= r.validTo END
  ELSE (r.validFrom IS NULL OR r.validFrom <= asOfTo)
   AND (r.validToLatest IS NULL OR asOfFrom <= r.validToLatest)
END
WITH o, a, r, asOfFrom, asOfTo
ORDER BY CASE WHEN r.validFromLatest <= asOfFrom
               AND CASE WHEN r.validTo IS NULL THEN coalesce(r.isCurrent, true) ELSE asOfTo <= r.validTo END
         THEN 0 ELSE 1 END,
         coalesce(r.validFromLatest, r.validFrom, date('0001-01-01')) DESC, a.name
WITH o, head(collect({a: a, r: r})) AS best
RETURN o.id AS id, coalesce(best.a.name, o.name) AS name, o.name AS currentName, best.a IS NOT NULL AS dated,
       best.r.validFrom AS validFrom, best.r.validFromLatest AS validFromLatest,
       best.r.validTo AS validTo, best.r.validToLatest AS validToLatest,
       best.r.validFromPrecision AS validFromPrecision, best.r.validToPrecision AS validToPrecision,
       best.r.validFromText AS validFromText, best.r.validToText AS validToText,
       best.r.source AS source, best.r.claimId AS claimId

"""Fixed texts of the comparison documents in Swedish and English."""

from __future__ import annotations

from fvmprocess._shared.privacy import MIN_CELL, SMALL, SUPPRESSED

__all__ = ["KIND_LABELS", "LABELS", "MOVE_LABELS"]

LABELS: dict[str, dict[str, str]] = {
    "sv": {
        "title": "Jämförelse mot standardprocessen",
        "toc": "Innehåll",
        "summary": "Sammanfattning",
        "ranking": "Rangordning av enheter",
        "heatmap": "Avvikelser per enhet och aktivitet",
        "standard": "Standardprocessen med avvikelser",
        "unit_vs_standard": "Enhet mot standard",
        "unit_vs_unit": "Enhet mot enhet",
        "time_limits": "Tidsgränser",
        "variants": "Vanligaste varianterna",
        "methods": "Metod",
        "accounting": "Dataredovisning",
        "process": "Process",
        "version": "Version",
        "period": "Loggperiod",
        "generated": "Skapad",
        "cases": "Fall",
        "units": "Enheter",
        "variants_n": "Varianter",
        "conforming": "Följer standarden",
        "conforming_share": "Andel som följer standarden",
        "mean_fitness": "Medel-fitness",
        "interval": "95 % intervall",
        "rank": "Rang",
        "unit": "Enhet",
        "activity": "Aktivitet",
        "deviations": "Avvikelser",
        "deviations_by_kind": "Avvikelser per slag",
        "kind": "Slag",
        "count": "Antal",
        "time_limit_compliance": "Inom tidsgränser",
        "all_units": "Alla enheter",
        "heatmap_note": (
            "Cellen visar andelen av enhetens fall med minst en avvikelse vid aktiviteten "
            "(överhoppad, infogad, upprepad, flyttad, okänd eller sen); varje fall räknas en "
            f"gång. Antal under {MIN_CELL} visas som {SMALL}, och då visas ingen andel."
        ),
        "outside_group": "Utanför standarden ({n} aktiviteter)",
        "outside_note": (
            "Sista kolumnen samlar loggens aktiviteter utanför standarden: andelen fall med "
            "minst en av dem. Vanligast:"
        ),
        "cases_lower": "fall",
        "and_more": " … och {n} till",
        "diagram_part": "Del {i} av {n}",
        "one_unit": "Resultatet har bara en enhet; det finns ingen annan att jämföra med.",
        "choose_a": "Enhet A",
        "choose_b": "Enhet B",
        "pair_note": (
            "Välj två enheter: jämförelsen räknas fram i sidan ur enheternas sammanfattade "
            "siffror (samma regel för små antal som i resten av rapporten)."
        ),
        "pair_print": ("Jämförelsen av två valfria enheter finns i HTML-versionen av rapporten."),
        "filter": "Sök enhet",
        "sort_note": "Klicka på en kolumnrubrik för att sortera.",
        "untitled": "Processmodell",
        "chosen_units": "Enheter som visas med diagram",
        "other_units": "Övriga enheter jämförs i avsnittet Enhet mot enhet.",
        "table_per_unit": "Tabell per enhet",
        "limit_chart_note": (
            "Lådan visar kvartilerna av tiden, strecket medianen och morrhåren 5–95 %; "
            "enheter med färre än fem bedömda fall visas utan låda."
        ),
        "variant_diff": "Varianter som är vanliga hos den ena och ovanliga hos den andra",
        "no_variant_diff": "Inga tydliga skillnader i varianter.",
        "variant": "Variant",
        "share": "Andel",
        "limit": "Tidsgräns",
        "from": "Från",
        "to": "Till",
        "max": "Högst",
        "target": "Mål",
        "within": "Inom gränsen",
        "evaluated": "Bedömda fall",
        "median": "Median",
        "meets_target": "Målet nått",
        "yes": "ja",
        "no": "nej",
        "case_start": "fallets start",
        "no_time_limits": "Processen har inga tidsgränser.",
        "limit_line": "gräns",
        "alignment": "Jämkning steg för steg",
        "fitness": "Fitness",
        "rows_read": "Rader lästa",
        "rows_used": "Rader använda",
        "rows_rejected": "Rader bortvalda",
        "reason": "Orsak",
        "warnings": "Varningar",
        "unmapped": "Aktiviteter utanför standarden",
        "events": "Händelser",
        "no_model": "Resultatet saknar processmodell; diagrammet kan inte ritas.",
        "suppression": (
            f"Antal under {MIN_CELL} visas som {SMALL}; andelar, intervall, medelvärden och "
            f"medianer som bygger på ett sådant antal visas som {SUPPRESSED}. "
            "Inga fallidentiteter visas."
        ),
        "legend": "Förklaring",
        "hours": "tim",
        "days": "dygn",
        "minutes": "min",
        "page": "Sida",
        "of": "av",
        "ranking_note": (
            "Stapeln visar andelen fall som följer standarden; strecket visar 95 % "
            "Wilson-intervall."
        ),
    },
    "en": {
        "title": "Comparison with the standard process",
        "toc": "Contents",
        "summary": "Summary",
        "ranking": "Unit ranking",
        "heatmap": "Deviations per unit and activity",
        "standard": "The standard process with deviations",
        "unit_vs_standard": "Unit vs standard",
        "unit_vs_unit": "Unit vs unit",
        "time_limits": "Time limits",
        "variants": "Most frequent variants",
        "methods": "Methods",
        "accounting": "Data accounting",
        "process": "Process",
        "version": "Version",
        "period": "Log period",
        "generated": "Generated",
        "cases": "Cases",
        "units": "Units",
        "variants_n": "Variants",
        "conforming": "Conforming",
        "conforming_share": "Conforming share",
        "mean_fitness": "Mean fitness",
        "interval": "95 % interval",
        "rank": "Rank",
        "unit": "Unit",
        "activity": "Activity",
        "deviations": "Deviations",
        "deviations_by_kind": "Deviations by kind",
        "kind": "Kind",
        "count": "Count",
        "time_limit_compliance": "Within time limits",
        "all_units": "All units",
        "heatmap_note": (
            "Each cell shows the share of the unit's cases with at least one deviation at the "
            "activity (skipped, inserted, repeated, moved, unknown or late); each case counts "
            f"once. Counts below {MIN_CELL} are shown as {SMALL}, and then no share is shown."
        ),
        "outside_group": "Outside the standard ({n} activities)",
        "outside_note": (
            "The last column groups the log's activities outside the standard: the share of "
            "cases with at least one of them. Most frequent:"
        ),
        "cases_lower": "cases",
        "and_more": " … and {n} more",
        "diagram_part": "Part {i} of {n}",
        "one_unit": "The result has only one unit; there is no other to compare it with.",
        "choose_a": "Unit A",
        "choose_b": "Unit B",
        "pair_note": (
            "Choose two units: the comparison is computed in the page from the units' summary "
            "figures (with the same small-count rule as the rest of the report)."
        ),
        "pair_print": "The comparison of any two units is in the HTML version of the report.",
        "filter": "Search unit",
        "sort_note": "Click a column heading to sort.",
        "untitled": "Process model",
        "chosen_units": "Units shown with diagrams",
        "other_units": "The other units are compared in the section Unit vs unit.",
        "table_per_unit": "Table per unit",
        "limit_chart_note": (
            "The box shows the quartiles of the time, the line the median and the whiskers "
            "5–95 %; units with fewer than five evaluated cases are shown without a box."
        ),
        "variant_diff": "Variants frequent in one unit and rare in the other",
        "no_variant_diff": "No clear differences in variants.",
        "variant": "Variant",
        "share": "Share",
        "limit": "Time limit",
        "from": "From",
        "to": "To",
        "max": "At most",
        "target": "Target",
        "within": "Within the limit",
        "evaluated": "Cases evaluated",
        "median": "Median",
        "meets_target": "Target met",
        "yes": "yes",
        "no": "no",
        "case_start": "case start",
        "no_time_limits": "The process has no time limits.",
        "limit_line": "limit",
        "alignment": "Alignment move by move",
        "fitness": "Fitness",
        "rows_read": "Rows read",
        "rows_used": "Rows used",
        "rows_rejected": "Rows rejected",
        "reason": "Reason",
        "warnings": "Warnings",
        "unmapped": "Activities outside the standard",
        "events": "Events",
        "no_model": "The result has no process model; the diagram cannot be drawn.",
        "suppression": (
            f"Counts below {MIN_CELL} are shown as {SMALL}; shares, intervals, means and "
            f"medians computed from such a count are shown as {SUPPRESSED}. "
            "No case identifiers are shown."
        ),
        "legend": "Legend",
        "hours": "h",
        "days": "days",
        "minutes": "min",
        "page": "Page",
        "of": "of",
        "ranking_note": (
            "The bar shows the share of conforming cases; the whisker the 95 % Wilson interval."
        ),
    },
}

KIND_LABELS: dict[str, dict[str, str]] = {
    "sv": {
        "skipped": "överhoppad",
        "inserted": "infogad",
        "moved": "flyttad",
        "repeated": "upprepad",
        "unknown_activity": "okänd aktivitet",
        "late": "sen",
    },
    "en": {
        "skipped": "skipped",
        "inserted": "inserted",
        "moved": "moved",
        "repeated": "repeated",
        "unknown_activity": "unknown activity",
        "late": "late",
    },
}

MOVE_LABELS: dict[str, dict[str, str]] = {
    "sv": {"sync": "enligt standard", "log": "bara i loggen", "model": "saknas i loggen"},
    "en": {"sync": "synchronous", "log": "log move", "model": "model move"},
}

/** @odoo-module */

// One colour per meaning, wherever client_value draws a chart (Odoo's graph
// views and the Client Impact dashboard): good news green, bad news red,
// no change grey, whatever the palette would give the series.
const GOOD = "#28A745";
const NEUTRAL = "#A0A0A0";
const BAD = "#DC3545";

export const MEANING_COLORS = {
    "crm.lead": {
        outcome_state: { improved: GOOD, unchanged: NEUTRAL, worsened: BAD },
    },
    "client_value.neglect.event": {
        kind: { flagged: BAD, cleared: GOOD },
    },
};

function* terms(domain) {
    if (!Array.isArray(domain)) {
        return;
    }
    if (domain.length === 3 && typeof domain[0] === "string" && domain[1] === "=") {
        yield domain;
        return;
    }
    for (const item of domain) {
        yield* terms(item);
    }
}

/**
 * The colour of a series of ``model`` whose points have the ``domains``
 * given (one per point), when the series is one value of a field that has
 * a meaning; undefined otherwise.
 */
export function meaningColor(model, domains) {
    const fields = MEANING_COLORS[model];
    if (!fields) {
        return undefined;
    }
    for (const domain of domains || []) {
        const arrayDomain = domain?.arrayRepr ?? domain?.toList?.() ?? domain;
        for (const [field, , value] of terms(arrayDomain)) {
            const color = fields[field]?.[value];
            if (color) {
                return color;
            }
        }
    }
    return undefined;
}

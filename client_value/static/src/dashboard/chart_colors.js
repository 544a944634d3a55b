/** @odoo-module */

import * as spreadsheet from "@odoo/o-spreadsheet";

const { chartRegistry } = spreadsheet.registries;

// Outcomes read right whatever the palette: improved green, unchanged grey,
// worsened red.
const OUTCOME_COLORS = {
    improved: "#28A745",
    unchanged: "#A0A0A0",
    worsened: "#DC3545",
};

function outcomeOf(dataset) {
    for (const domain of dataset.domains || []) {
        for (const term of domain || []) {
            if (Array.isArray(term) && term[0] === "outcome_state" && term[1] === "=") {
                return term[2];
            }
        }
    }
    return undefined;
}

/**
 * Client Value's dashboard charts: counts on integer axes, and outcome
 * colours that mean something. Other charts are left as Odoo draws them.
 */
function clientValueRuntime(getChartRuntime) {
    return (chart, getters) => {
        const runtime = getChartRuntime(chart, getters);
        const metaData = chart.metaData || {};
        const config = runtime.chartJsConfig;
        if (metaData.measure === "__count" && config?.options?.scales?.y?.ticks) {
            config.options.scales.y.ticks.precision = 0;
        }
        if ((metaData.groupBy || []).includes("outcome_state")) {
            const datasets = chart.dataSource?.getData().datasets || [];
            config.data.datasets.forEach((chartDataset, index) => {
                const color = OUTCOME_COLORS[outcomeOf(datasets[index] || {})];
                if (color) {
                    chartDataset.backgroundColor = color;
                }
            });
        }
        return runtime;
    };
}

// 19.0's registries refuse add() on an existing key and have replace();
// 18.0's add() replaces and has no replace().
const register = (chartRegistry.replace || chartRegistry.add).bind(chartRegistry);
for (const type of ["odoo_bar", "odoo_line"]) {
    const item = chartRegistry.get(type);
    register(type, { ...item, getChartRuntime: clientValueRuntime(item.getChartRuntime) });
}

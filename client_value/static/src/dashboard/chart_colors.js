/** @odoo-module */

import * as spreadsheet from "@odoo/o-spreadsheet";
import { meaningColor } from "@client_value/colors/meaning_colors";

const { chartRegistry } = spreadsheet.registries;

/**
 * Client Value's dashboard charts: counts on integer axes, and the colour of
 * what each series means (colors/meaning_colors.js). Other charts are left as Odoo draws them.
 */
function clientValueRuntime(getChartRuntime) {
    return (chart, getters) => {
        const runtime = getChartRuntime(chart, getters);
        const metaData = chart.metaData || {};
        const config = runtime.chartJsConfig;
        if (metaData.measure === "__count" && config?.options?.scales?.y?.ticks) {
            config.options.scales.y.ticks.precision = 0;
        }
        const datasets = chart.dataSource?.getData().datasets || [];
        (config?.data?.datasets || []).forEach((chartDataset, index) => {
            const color = meaningColor(metaData.resModel, datasets[index]?.domains);
            if (color) {
                chartDataset.backgroundColor = color;
            }
        });
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

/** @odoo-module */

import { patch } from "@web/core/utils/patch";
import { GraphRenderer } from "@web/views/graph/graph_renderer";
import { meaningColor } from "./meaning_colors";

// Odoo's graph views of the module's figures take the colour of what each
// series means (meaning_colors.js), as the dashboard does.
patch(GraphRenderer.prototype, {
    getBarChartData() {
        const data = super.getBarChartData(...arguments);
        const model = this.model.metaData.resModel;
        for (const dataset of data.datasets || []) {
            const color = meaningColor(model, dataset.domains);
            if (color) {
                dataset.backgroundColor = color;
            }
        }
        return data;
    },
});

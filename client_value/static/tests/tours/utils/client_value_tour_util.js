import { stepUtils } from "@web_tour/tour_service/tour_utils";

// Every step may wait for a server round trip on a busy machine.
export const STEP_TIMEOUT = 30000;

/**
 * The steps with the patient timeout, unless a step sets its own.
 */
export function patient(steps) {
    return steps.map((step) => ({ timeout: STEP_TIMEOUT, ...step }));
}

/**
 * Column header of a stage: the weighted impact sum of the Impact Pipeline.
 */
export function impactSum(stage, value) {
    return `.o_kanban_group:has(.o_column_title:contains('${stage}')) .o_kanban_counter .o_animated_number[title='Weighted Impact'] b:text(${value})`;
}

/**
 * From the home screen, open an entry of the CRM app's Sales menu, the way
 * a salesperson does.
 */
export function openCrmSalesMenu(menuXmlid, content) {
    return [
        stepUtils.showAppsMenuItem(),
        {
            trigger: ".o_app[data-menu-xmlid='crm.crm_menu_root']",
            content: "Open the CRM app",
            run: "click",
        },
        {
            trigger: ".o_menu_sections [data-menu-xmlid='crm.crm_menu_sales']",
            content: "Open the Sales menu",
            run: "click",
        },
        {
            trigger: `.dropdown-item[data-menu-xmlid='${menuXmlid}']`,
            content,
            run: "click",
        },
    ];
}

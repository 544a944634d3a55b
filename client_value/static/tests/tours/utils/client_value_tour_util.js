/**
 * The apps menu button, as Odoo's stepUtils.showAppsMenuItem() gives it.
 * Kept here: stepUtils moved from @web_tour/tour_service/tour_utils (18.0)
 * to @web_tour/tour_utils (19.0), and a missing module breaks the bundle.
 */
export function showAppsMenuItem() {
    return {
        isActive: ["auto", "community", "desktop"],
        trigger: ".o_navbar_apps_menu button:enabled",
        tooltipPosition: "bottom",
        run: "click",
    };
}

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
    // 18.0 titles the column total, 19.0 gives it a data-tooltip.
    const column = `.o_kanban_group:has(.o_column_title:contains('${stage}')) .o_kanban_counter`;
    return ["title", "data-tooltip"]
        .map((attr) => `${column} .o_animated_number[${attr}='Weighted Impact'] b:text(${value})`)
        .join(", ");
}

/**
 * From the home screen, open an entry of the CRM app's Sales menu, the way
 * a salesperson does.
 */
export function openCrmSalesMenu(menuXmlid, content) {
    return [
        showAppsMenuItem(),
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

const TYPE_INPUT = ".modal .o_field_widget[name='activity_type_id'] input";
const TYPE_BADGE = ".modal .o_field_widget[name='activity_type_id'] .o_selection_badge";

/**
 * In the scheduling dialog, choose the activity type ``name``: 18.0 offers
 * the types in a many2one input, 19.0 as badges.
 */
export function chooseActivityType(name) {
    return [
        {
            isActive: [TYPE_INPUT],
            trigger: TYPE_INPUT,
            content: "Choose the activity type",
            run: `fill ${name}`,
        },
        {
            isActive: [TYPE_INPUT],
            trigger: `.o-autocomplete--dropdown-item:contains('${name}')`,
            content: name,
            run: "click",
        },
        {
            isActive: [TYPE_INPUT],
            trigger: `${TYPE_INPUT}:value(${name})`,
            content: "The type is set",
        },
        {
            isActive: [TYPE_BADGE],
            trigger: `${TYPE_BADGE}:contains('${name}')`,
            content: `Choose ${name}`,
            run: "click",
        },
        {
            isActive: [TYPE_BADGE],
            trigger: `${TYPE_BADGE}.active:contains('${name}')`,
            content: "The type is set",
        },
    ];
}

/**
 * From the chatter, open the scheduling dialog and choose the activity
 * type ``name``.
 */
export function scheduleFromChatter(name) {
    return [
        {
            trigger: ".o-mail-Chatter-activity",
            content: "Schedule an activity from the chatter",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name='activity_type_id']",
            content: "The scheduling dialog is open",
        },
        ...chooseActivityType(name),
    ];
}

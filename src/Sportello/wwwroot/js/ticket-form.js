// The ticket form: the known incidents and maintenance shown first are those on the service chosen (all of them while
// none is chosen). Without this script every one is shown.
(() => {
    const select = document.getElementById("Input_ServiceId");
    const section = document.getElementById("known-notices");
    if (!select || !section) {
        return;
    }
    const notices = [...section.querySelectorAll("[data-services]")];
    const show = () => {
        const chosen = select.value;
        let any = false;
        for (const notice of notices) {
            const on = !chosen || notice.dataset.services.split(" ").includes(chosen);
            notice.hidden = !on;
            any = any || on;
        }
        section.hidden = !any;
    };
    select.addEventListener("change", show);
    show();
})();

// Invoices and orders belong to financial tickets: for another department the choice is hidden and left out of the post
// (disabled), so a choice made before switching cannot refuse the ticket. Without this script it is simply there.
(() => {
    const fieldset = document.getElementById("billing-documents");
    const departments = [...document.querySelectorAll("input[name='Input.Department']")];
    if (!fieldset || departments.length === 0) {
        return;
    }
    const show = () => {
        const financial = departments.some(d => d.checked && d.value === "financial");
        fieldset.hidden = !financial;
        fieldset.disabled = !financial;
    };
    for (const department of departments) {
        department.addEventListener("change", show);
    }
    show();
})();

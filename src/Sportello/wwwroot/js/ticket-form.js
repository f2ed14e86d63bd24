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

"use strict";
// Sorting, filtering and expanding the checks. Everything the page shows is already in the
// markup (escaped by mtlscheck); this script only reads data- attributes and toggles
// `hidden`, and never builds markup from text.
(function () {
  const table = document.getElementById("checks");
  if (!table) return;
  const bodies = Array.from(table.tBodies);
  const headers = Array.from(table.tHead.rows[0].cells);
  const text = document.getElementById("filter-text");
  const result = document.getElementById("filter-result");
  const verdict = document.getElementById("filter-verdict");
  const changed = document.getElementById("filter-changed");
  const shown = document.getElementById("shown-count");
  const controls = document.getElementById("controls");

  bodies.forEach((body, index) => { body.dataset.index = String(index); });
  controls.hidden = false;

  function setExpanded(body, open) {
    const toggle = body.querySelector("button.toggle");
    toggle.setAttribute("aria-expanded", String(open));
    document.getElementById(toggle.getAttribute("aria-controls")).hidden = !open;
  }
  bodies.forEach(body => setExpanded(body, false));

  function applyFilter() {
    const words = text.value.toLowerCase().split(/\s+/).filter(Boolean);
    let count = 0;
    for (const body of bodies) {
      const visible = words.every(word => body.dataset.search.includes(word))
        && (!result.value || body.dataset.result === result.value)
        && (!verdict.value || body.dataset.verdict === verdict.value)
        && (!changed || !changed.checked || body.dataset.changed === "true");
      body.hidden = !visible;
      if (visible) count += 1;
    }
    const noun = bodies.length === 1 ? "check" : "checks";
    shown.textContent = count === bodies.length ? `${count} ${noun}` : `${count} of ${bodies.length} ${noun} shown`;
  }
  text.addEventListener("input", applyFilter);
  result.addEventListener("change", applyFilter);
  verdict.addEventListener("change", applyFilter);
  if (changed) changed.addEventListener("change", applyFilter);

  function sortKey(body, column, numeric) {
    const cell = body.rows[0].cells[column];
    const raw = cell.dataset.sort !== undefined ? cell.dataset.sort : cell.textContent.trim();
    if (!numeric) return raw.toLowerCase();
    return raw === "" ? null : Number(raw);
  }

  function sortBy(column, ascending) {
    const numeric = headers[column].dataset.type === "number";
    const keyed = bodies.map(body => [sortKey(body, column, numeric), body]);
    keyed.sort((a, b) => {
      // Checks without a value (no certificate, not probed) go last either way.
      if (a[0] === null || b[0] === null) {
        if (a[0] === b[0]) return a[1].dataset.index - b[1].dataset.index;
        return a[0] === null ? 1 : -1;
      }
      let order = numeric ? a[0] - b[0] : a[0].localeCompare(b[0], undefined, { numeric: true });
      if (!ascending) order = -order;
      return order || a[1].dataset.index - b[1].dataset.index;
    });
    keyed.forEach(([, body]) => table.appendChild(body));
    headers.forEach((header, index) => {
      header.setAttribute("aria-sort", index === column ? (ascending ? "ascending" : "descending") : "none");
    });
  }
  headers.forEach((header, column) => {
    header.querySelector("button.sort").addEventListener("click", () => {
      sortBy(column, header.getAttribute("aria-sort") !== "ascending");
    });
  });

  table.addEventListener("click", event => {
    const toggle = event.target.closest("button.toggle");
    if (toggle) setExpanded(toggle.closest("tbody"), toggle.getAttribute("aria-expanded") !== "true");
  });
  document.getElementById("expand-all").addEventListener("click", () => {
    bodies.filter(body => !body.hidden).forEach(body => setExpanded(body, true));
  });
  document.getElementById("collapse-all").addEventListener("click", () => {
    bodies.forEach(body => setExpanded(body, false));
  });

  // The summary cards and "show only those" set the filters.
  document.querySelectorAll("button.card").forEach(card => {
    card.addEventListener("click", () => {
      const select = card.dataset.filter === "result" ? result : verdict;
      select.value = select.value === card.dataset.value ? "" : card.dataset.value;
      applyFilter();
      table.scrollIntoView();
    });
  });
  const showChanged = document.getElementById("show-changed");
  if (showChanged && changed) {
    showChanged.addEventListener("click", () => {
      changed.checked = true;
      applyFilter();
      table.scrollIntoView();
    });
  }
  applyFilter();
})();

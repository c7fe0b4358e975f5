// The workflows list: times in the reader's own zone.
for (const cell of document.querySelectorAll("td.time")) {
  const t = Number(cell.dataset.t);
  if (t) cell.textContent = new Date(t * 1000).toLocaleString();
}

// The staff console's few helpers; every page works without them.
'use strict';

// A list marked `data-refresh="N"` fetches its page again every N seconds and shows the new
// rows and counts, unless the organizer is typing in it or the tab is hidden. A failed fetch
// (a weak signal) keeps what is shown and tries again at the next turn.
(function refreshing() {
  const box = document.querySelector('[data-refresh]');
  if (!box) return;
  const every = Number(box.dataset.refresh) * 1000;
  const busy = () => box.contains(document.activeElement) ||
    [...box.querySelectorAll('input:not([type=hidden]):not([type=checkbox])')].some(i => i.value !== '' && i.name !== 'q');
  setInterval(async () => {
    if (document.hidden || busy()) return;
    try {
      const r = await fetch(location.href, {credentials: 'same-origin'});
      if (!r.ok) return;
      const fresh = new DOMParser().parseFromString(await r.text(), 'text/html');
      for (const id of ['attendance-counts', 'attendance-list']) {
        const now = fresh.getElementById(id), old = document.getElementById(id);
        if (now && old && !busy()) old.replaceWith(now);
      }
    } catch (e) { /* offline for a moment: try again next time */ }
  }, every);
})();

// A button `data-locate` fills the fields `#fence_lat` and `#fence_lon` with the phone's position.
(function locating() {
  const button = document.querySelector('[data-locate]');
  if (!button || !navigator.geolocation) return;
  button.hidden = false;
  button.onclick = () => navigator.geolocation.getCurrentPosition(p => {
    document.getElementById('fence_lat').value = p.coords.latitude.toFixed(6);
    document.getElementById('fence_lon').value = p.coords.longitude.toFixed(6);
    const radius = document.getElementById('fence_radius');
    if (!radius.value) radius.value = '200';
  });
})();

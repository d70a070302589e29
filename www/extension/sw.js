// WHM Transfer Console: the extension's service worker. It only wires the toolbar button to the side
// panel; the console page itself (index.html, in the side panel or a tab) finds WHM tabs and relays
// calls through them (bridge.js, relay.js). Nothing is stored here.
"use strict";

// Set on every start of the worker, as the side panel docs recommend: the setting is not persisted
// across browser updates otherwise.
chrome.sidePanel.setPanelBehavior({ openPanelOnActionClick: true }).catch((err) => {
  console.warn("WHM Transfer Console: the toolbar button cannot open the side panel:", err);
});

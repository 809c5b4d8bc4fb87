// The view state is shared with the server (it starts a page's slices from the page's URL).
export * from '../../src/serve/view-state.js';

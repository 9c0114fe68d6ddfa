// plotly.js-basic-dist-min (scatter, bar and pie only: all the curves need, a quarter of the full
// bundle) ships no types; it has the same API as the full dist, whose types we use.
declare module 'plotly.js-basic-dist-min' {
  import type * as Plotly from 'plotly.js-dist-min';
  const plotly: typeof Plotly;
  export default plotly;
}

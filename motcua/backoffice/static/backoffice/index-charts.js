// Charts of the 766 index page (/bao-cao/): the data is in <script type="application/json"> blocks
// (json_script), never inline code, so the Content-Security-Policy stays script-src 'self'.
(function () {
  "use strict";
  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }
  function draw() {
    if (typeof Chart === "undefined") return;
    Chart.defaults.font.family = "'Noto Sans', system-ui, sans-serif";
    Chart.defaults.animation = false;
    var trend = data("trend-data");
    var trendCanvas = document.getElementById("trend-chart");
    if (trend && trendCanvas) {
      new Chart(trendCanvas, {
        type: "line",
        data: {
          labels: trend.map(function (m) { return m.label; }),
          datasets: [{ label: "Tổng điểm", data: trend.map(function (m) { return m.total; }),
                       borderColor: "#0b57a4", backgroundColor: "#0b57a4", tension: 0.2 }],
        },
        options: { responsive: true, maintainAspectRatio: false,
                   scales: { y: { min: 0, max: 100, title: { display: true, text: "điểm / 100" } } },
                   plugins: { legend: { display: false } },
                   // a month's point opens that month's index (every figure leads to what is behind it)
                   onClick: function (_event, elements) {
                     if (elements.length) window.location.assign(trend[elements[0].index].href);
                   } },
      });
    }
    var cards = data("cards-data");
    var cardsCanvas = document.getElementById("cards-chart");
    if (cards && cardsCanvas) {
      new Chart(cardsCanvas, {
        type: "bar",
        data: {
          labels: cards.map(function (c) { return c.title; }),
          datasets: [
            { label: "Điểm đạt", data: cards.map(function (c) { return c.points; }), backgroundColor: "#0b57a4" },
            { label: "Điểm còn thiếu", data: cards.map(function (c) { return c.missing; }), backgroundColor: "#f2c4c4" },
          ],
        },
        options: { indexAxis: "y", responsive: true, maintainAspectRatio: false,
                   scales: { x: { stacked: true }, y: { stacked: true } },
                   onClick: function (_event, elements) {
                     if (elements.length) window.location.hash = "nhom-" + cards[elements[0].index].code;
                   } },
      });
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();

'use strict';
// The console's pages are rendered on the server; this script adds what needs a browser: the live table of
// transfers in flight (Server-Sent Events fed by the ledger's chaincode events) with a countdown to each deadline
// on the ledger's clock, and the charts, drawn with Apache ECharts (served by the console) from the tables on the
// same page. Text goes in with textContent only; tooltips are built from escaped text.
(function () {
  function escapeText(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  // ---- tables as data -------------------------------------------------------------------------------------------

  function rowsOf(tableId) {
    var table = document.getElementById(tableId);
    if (!table || !table.tBodies.length) {
      return [];
    }
    var rows = [];
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      rows.push(Array.prototype.map.call(row.cells, function (cell) {
        return { text: cell.textContent, value: cell.dataset.value === undefined ? null : Number(cell.dataset.value) };
      }));
    });
    return rows;
  }

  // Amounts are shown in currency units ("12.50"); charts plot what the table shows.
  function shown(cell) {
    return Number(cell.text.replace(/[^0-9.\-]/g, ''));
  }

  function columnsOf(tableId) {
    var table = document.getElementById(tableId);
    return table ? Array.prototype.map.call(table.tHead.rows[0].cells, function (th) { return th.textContent; }) : [];
  }

  // ---- charts ---------------------------------------------------------------------------------------------------

  var palette = ['#1f3b5c', '#3f7fbf', '#c0822b', '#2f8a4a', '#a03c3c', '#7a5aa6', '#4a9a9a', '#8a8a3a'];

  function bar(source) {
    var rows = rowsOf(source);
    var columns = columnsOf(source);
    return {
      color: palette,
      tooltip: { trigger: 'axis', formatter: function (items) {
        return escapeText(items[0].name) + '<br>' + escapeText(columns[1]) + ': ' + escapeText(rows[items[0].dataIndex][1].text);
      } },
      grid: { left: 70, right: 20, top: 20, bottom: 60 },
      xAxis: { type: 'category', data: rows.map(function (r) { return r[0].text; }), axisLabel: { rotate: 30 } },
      yAxis: { type: 'value', name: columns[1] },
      series: [{ type: 'bar', name: columns[1], data: rows.map(function (r) { return shown(r[1]); }) }]
    };
  }

  function stepLine(source, periodsSource) {
    var rows = rowsOf(source);
    var columns = columnsOf(source);
    var series = [3, 4].map(function (column) {
      return {
        type: 'line', step: 'end', name: columns[column], showSymbol: rows.length < 60,
        data: rows.map(function (r) { return [r[0].value * 1000, shown(r[column])]; })
      };
    });
    if (periodsSource) {
      var periods = rowsOf(periodsSource);
      series[0].markArea = {
        silent: false, itemStyle: { color: 'rgba(192, 130, 43, 0.18)' },
        label: { show: false },
        data: periods.map(function (p) {
          return [{ name: 'escrow ' + p[0].text + ' (' + p[1].text + ', ' + p[4].text + ')', xAxis: p[2].value * 1000 },
                  { xAxis: Math.max(p[3].value, p[2].value + 1) * 1000 }];
        })
      };
      // Each change as a point with what made it.
      series.push({
        type: 'scatter', name: 'events', symbolSize: 7,
        data: rows.map(function (r) { return { value: [r[0].value * 1000, shown(r[3])], event: r[2].text, tx: r[1].text }; }),
        tooltip: { formatter: function (item) {
          return escapeText(new Date(item.value[0]).toISOString().replace('T', ' ').substring(0, 19)) + ' UTC<br>'
            + escapeText(item.data.event) + '<br>available ' + escapeText(item.value[1]);
        } }
      });
    }
    return {
      color: palette,
      legend: { top: 0 },
      tooltip: { trigger: 'item' },
      grid: { left: 70, right: 30, top: 40, bottom: 50 },
      xAxis: { type: 'time' },
      yAxis: { type: 'value', name: 'currency units' },
      dataZoom: [{ type: 'inside' }, { type: 'slider', height: 18, bottom: 8 }],
      series: series
    };
  }

  function sankey(source, element) {
    var rows = rowsOf(source);
    var names = {};
    rows.forEach(function (r) { names[r[0].text] = true; names[r[1].text] = true; });
    // Colour says what a node is: the data center's refills, a meter, funds a meter received, postage printed.
    var nodes = Object.keys(names).map(function (name, index) {
      var colour = name === 'data center refills' ? '#1f3b5c' : name === 'postage printed' ? '#c0822b'
        : / received$/.test(name) ? '#2f8a4a' : palette[1 + index % (palette.length - 1)];
      return { name: name, itemStyle: { color: colour } };
    });
    // Height grows with the nodes so that a label never sits on another.
    element.style.height = Math.max(420, Math.min(4000, nodes.length * 22)) + 'px';
    return {
      color: palette,
      tooltip: { trigger: 'item', formatter: function (item) {
        if (item.dataType === 'edge') {
          var r = rows[item.dataIndex];
          return escapeText(r[0].text) + ' → ' + escapeText(r[1].text) + '<br>' + escapeText(r[2].text) + ' in '
            + escapeText(r[3].text) + ' movement(s)';
        }
        return escapeText(item.name) + ': ' + escapeText(item.value);
      } },
      series: [{
        type: 'sankey', left: 20, right: 220, top: 10, bottom: 10, nodeGap: 6, draggable: false,
        emphasis: { focus: 'adjacency' }, lineStyle: { color: 'gradient', opacity: 0.45 },
        label: { fontSize: 11 },
        data: nodes,
        links: rows.map(function (r) { return { source: r[0].text, target: r[1].text, value: shown(r[2]) }; })
      }]
    };
  }

  function drawCharts() {
    if (!window.echarts) {
      return;
    }
    Array.prototype.forEach.call(document.querySelectorAll('div.chart[data-chart]'), function (element) {
      var kind = element.dataset.chart;
      var option = kind === 'bar' ? bar(element.dataset.source)
        : kind === 'sankey' ? sankey(element.dataset.source, element)
        : stepLine(element.dataset.source, kind === 'timeline' ? element.dataset.periods : null);
      var chart = window.echarts.init(element, null, { renderer: 'canvas' });
      // No animation: the picture is there at once for readers who prefer reduced motion, and for screenshots.
      option.animation = false;
      chart.setOption(option);
      element.dataset.drawn = 'true';
      window.addEventListener('resize', function () { chart.resize(); });
      // Keyboard: Enter or Space on a focused chart jumps to the numbers behind it.
      element.addEventListener('keydown', function (event) {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          var table = document.getElementById(element.dataset.source);
          if (table) {
            table.setAttribute('tabindex', '-1');
            table.focus();
          }
        }
      });
    });
  }

  // ---- live transfers -------------------------------------------------------------------------------------------

  function liveTransfers() {
    var holder = document.getElementById('live-transfers');
    var table = document.getElementById('transfers');
    if (!holder || !table) {
      return;
    }
    var body = table.tBodies[0];
    // The ledger's clock at page load, carried on by the browser's.
    var ledgerNow = Number(holder.dataset.now);
    var loadedAt = Date.now() / 1000;
    function countDown() {
      var now = ledgerNow + (Date.now() / 1000 - loadedAt);
      Array.prototype.forEach.call(body.querySelectorAll('td.time-left'), function (cell) {
        var left = Math.floor(Number(cell.dataset.value) - now);
        if (left <= 0) {
          cell.textContent = 'PAST DEADLINE: may be expired';
          cell.className = 'time-left past';
          return;
        }
        var d = Math.floor(left / 86400), h = Math.floor(left % 86400 / 3600), m = Math.floor(left % 3600 / 60);
        cell.textContent = d > 0 ? d + ' d ' + h + ' h' : h > 0 ? h + ' h ' + m + ' min' : m + ' min ' + (left % 60) + ' s';
      });
    }
    countDown();
    setInterval(countDown, 1000);
    if (!window.EventSource) {
      return;
    }
    var status = document.getElementById('live-status');
    var source = new EventSource('/transfers/live?after=' + encodeURIComponent(holder.dataset.after));
    source.addEventListener('open', function () {
      status.textContent = 'Live: following the ledger.';
      status.className = 'live';
    });
    source.addEventListener('error', function () {
      status.textContent = 'Live updates interrupted; reconnecting…';
      status.className = 'stale';
    });
    source.addEventListener('transfer', function (message) {
      var update = JSON.parse(message.data);
      var row = null;
      for (var i = 0; i < body.rows.length; i++) {
        if (body.rows[i].dataset.transfer === update.transferId) {
          row = body.rows[i];
        }
      }
      if (!update.open) {
        if (row) {
          row.remove();
        }
        return;
      }
      if (!row) {
        row = body.insertRow(-1);
        row.dataset.transfer = update.transferId;
      }
      row.className = 'updated';
      while (row.cells.length) {
        row.deleteCell(0);
      }
      update.cells.forEach(function (text, index) {
        var cell = row.insertCell(-1);
        cell.textContent = text;
        if (index === update.cells.length - 1) {
          cell.className = 'time-left';
          cell.dataset.value = update.deadline;
        }
      });
      countDown();
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    liveTransfers();
    drawCharts();
  });
})();

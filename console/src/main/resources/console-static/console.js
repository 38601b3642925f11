'use strict';
// Live transfers: follows /transfers/live (Server-Sent Events fed by the ledger's chaincode events) and
// updates the table of transfers in flight without a reload. Text goes in with textContent only.
document.addEventListener('DOMContentLoaded', function () {
  var table = document.getElementById('transfers');
  if (!table || !window.EventSource) {
    return;
  }
  var status = document.getElementById('live-status');
  var body = table.tBodies[0];
  var source = new EventSource('/transfers/live?after=' + encodeURIComponent(table.dataset.after));
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
    update.cells.forEach(function (text) {
      row.insertCell(-1).textContent = text;
    });
  });
});

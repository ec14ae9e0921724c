//! Metrics generated on demand (never stored): a deterministic value function per series,
//! bent by the scenario's story overrides, served through `panel/data` (§6.17) and the
//! Prometheus-compatible `/api/v1/query_range` (§6.15). PromQL is not evaluated: the first
//! known metric name and its label matchers pick the series; `rate`-style functions and a
//! leading or trailing `sum|avg|max|min|count by (...)` are honoured.

mod promql;
mod series;

use serde_json::{Value, json};

use crate::http::{RecordedRequest, Reply};
use crate::util::{TimeCtx, num, parse_duration_ms, parse_query};
use crate::world::Project;
use promql::{evaluate, legend_name};
pub(crate) use series::{instance_series, object_series};

/// `GET /api/project/{p}/panel/data` (v1.24.5:api/api.go:529-604, api/views/dashboards/panel.go):
/// each query's `datasource` picks the Prometheus (a project's name; with one Prometheus an
/// empty one means it); any other is 400 `invalid datasource` (panel.go:27-33).
pub(crate) fn panel_data<'a>(
    resolve: &dyn Fn(&str) -> Option<&'a Project>,
    ctx: &TimeCtx,
    query: Option<&str>,
) -> Result<Value, String> {
    let panel: Value = query
        .and_then(|q| serde_json::from_str(q).ok())
        .ok_or_else(|| "Invalid query".to_string())?;
    let mut ctx = *ctx;
    ctx.truncated = false;
    let times: Vec<i64> = ctx.times().collect();
    let queries = panel
        .pointer("/source/metrics/queries")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut out_series = Vec::new();
    for q in &queries {
        let expr = q.get("query").and_then(Value::as_str).unwrap_or("");
        if expr.is_empty() {
            continue;
        }
        let ds = q.get("datasource").and_then(Value::as_str).unwrap_or("");
        let Some(p) = resolve(ds) else {
            return Err("invalid datasource".into());
        };
        let expr = expr.replace("$RANGE", &format!("{}s", ctx.step / 1000 * 3));
        let legend = q.get("legend").and_then(Value::as_str).unwrap_or("");
        for (labels, vals) in evaluate(p, &expr, &times)? {
            let data: Vec<Value> = vals.into_iter().map(num).collect();
            out_series.push(json!({"name": legend_name(legend, &labels, &expr), "data": data, "value": ""}));
        }
    }
    let Some(chart_cfg) = panel.pointer("/widget/chart") else {
        return Ok(json!({}));
    };
    if out_series.is_empty() {
        return Ok(json!({}));
    }
    let bar = chart_cfg.get("display").and_then(Value::as_str) == Some("bar");
    let stacked = bar || chart_cfg.get("stacked").and_then(Value::as_bool).unwrap_or(false);
    Ok(
        json!({"chart": {"ctx": ctx.json(), "title": "", "series": out_series, "threshold": null, "featured": false,
        "stacked": stacked, "sorted": false, "column": bar, "color_shift": 0, "annotations": null, "drill_down_link": null, "hide_legend": false}}),
    )
}

fn prom_error(msg: &str) -> Reply {
    Reply::Json(400, json!({"status": "error", "errorType": "bad_data", "error": msg}))
}

fn parse_ts(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

fn fmt_prom(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// `/api/v1/query_range` in Prometheus' JSON format (§6.15).
pub(crate) fn query_range(p: &Project, req: &RecordedRequest) -> Reply {
    let mut params = req.params.clone();
    if req.method == "POST" {
        params.extend(parse_query(&req.body));
    }
    let get = |k: &str| {
        params
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let Some(start) = parse_ts(get("start")) else {
        return prom_error(&format!(
            "invalid parameter \"start\": cannot parse \"{}\" to a valid timestamp",
            get("start")
        ));
    };
    let Some(end) = parse_ts(get("end")) else {
        return prom_error(&format!(
            "invalid parameter \"end\": cannot parse \"{}\" to a valid timestamp",
            get("end")
        ));
    };
    if end < start {
        return prom_error("invalid parameter \"end\": end timestamp must not be before start time");
    }
    let step_s = match parse_ts(get("step")) {
        Some(s) => s,
        None => match parse_duration_ms(get("step")) {
            Some(ms) => ms as f64 / 1000.0,
            None => {
                return prom_error(&format!(
                    "invalid parameter \"step\": cannot parse \"{}\" to a valid duration",
                    get("step")
                ));
            }
        },
    };
    if step_s <= 0.0 {
        return prom_error("zero or negative query resolution step widths are not accepted. Try a positive integer");
    }
    if (end - start) / step_s > 11_000.0 {
        return prom_error(
            "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)",
        );
    }
    let n = ((end - start) / step_s).floor() as usize + 1;
    let secs: Vec<f64> = (0..n).map(|i| start + i as f64 * step_s).collect();
    let times: Vec<i64> = secs.iter().map(|s| (s * 1000.0) as i64).collect();
    let q = get("query").to_string();
    match evaluate(p, &q, &times) {
        Err(e) => prom_error(&e),
        Ok(rows) => {
            let result: Vec<Value> = rows
                .into_iter()
                .filter_map(|(labels, vals)| {
                    let values: Vec<Value> = secs
                        .iter()
                        .zip(vals)
                        .filter(|(_, v)| v.is_finite())
                        .map(|(s, v)| {
                            json!([
                                if s.fract() == 0.0 { json!(*s as i64) } else { json!(s) },
                                fmt_prom(crate::util::round(v, 6))
                            ])
                        })
                        .collect();
                    if values.is_empty() {
                        None
                    } else {
                        Some(json!({"metric": labels, "values": values}))
                    }
                })
                .collect();
            Reply::Json(
                200,
                json!({"status": "success", "data": {"resultType": "matrix", "result": result}}),
            )
        }
    }
}

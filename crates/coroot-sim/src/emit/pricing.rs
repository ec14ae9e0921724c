//! The cloud price list a real Coroot needs for its Costs view: Coroot downloads
//! `cloud-pricing.json.gz` into its data dir (cloud-pricing/manager.go) and, offline, keeps
//! costs empty without it. This one holds exactly the world's nodes' prices, hourly (Coroot
//! shows a month as 30 days, timeseries.Month), gzip-compressed with stored blocks.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::world::Project;

/// The price list of a project's nodes as Coroot's `cloud_pricing.Model` JSON.
pub(crate) fn json(p: &Project) -> Value {
    let mut providers: BTreeMap<String, BTreeMap<String, BTreeMap<String, Value>>> = BTreeMap::new();
    for n in &p.nodes {
        let Some(month) = n.price else {
            continue;
        };
        let hourly = month / 720.0;
        providers
            .entry(n.provider.to_lowercase())
            .or_default()
            .entry(n.region.to_lowercase())
            .or_default()
            .insert(
                n.instance_type.clone(),
                json!({"on_demand": hourly, "spot": hourly * 0.35}),
            );
    }
    let mut out = serde_json::Map::new();
    for (provider, regions) in providers {
        let names: Vec<&String> = regions.keys().collect();
        let egress: serde_json::Map<String, Value> = names.iter().map(|r| ((*r).clone(), json!({"0": 0.09}))).collect();
        let zones: serde_json::Map<String, Value> = names
            .iter()
            .map(|r| ((*r).clone(), json!({"ingress_per_gb": 0.01, "egress_per_gb": 0.01})))
            .collect();
        out.insert(
            provider,
            json!({"compute": regions, "internet_egress": egress, "inter_region_data_transfer": zones}),
        );
    }
    Value::Object(out)
}

/// CRC-32 (IEEE), as gzip's trailer wants.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for b in data {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// `data` as a gzip member of uncompressed (stored) deflate blocks: any gzip reader takes it.
pub(crate) fn gzip(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    let mut chunks = data.chunks(0xffff).peekable();
    if chunks.peek().is_none() {
        out.extend([1, 0, 0, 0xff, 0xff]);
    }
    while let Some(c) = chunks.next() {
        out.push(u8::from(chunks.peek().is_none()));
        let len = c.len() as u16;
        out.extend(len.to_le_bytes());
        out.extend((!len).to_le_bytes());
        out.extend_from_slice(c);
    }
    out.extend(crc32(data).to_le_bytes());
    out.extend((data.len() as u32).to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_is_ieee() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn gzip_wraps_the_bytes_in_stored_blocks() {
        let data = vec![7u8; 70_000];
        let gz = gzip(&data);
        assert_eq!(&gz[..3], &[0x1f, 0x8b, 8]);
        assert_eq!(gz.len(), 10 + 2 * 5 + 70_000 + 8);
        assert_eq!(gz[10], 0, "the first of two blocks is not final");
    }
}

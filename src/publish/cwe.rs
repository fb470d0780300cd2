//! Names of common CWE weaknesses, as the CWE list (version 4) writes them.
//!
//! Reports carry CWE ids only; CSAF wants each weakness with its exact catalogue name (mandatory
//! test 6.1.11 compares it). This table covers the CWE Top 25 and the weaknesses most often seen
//! in advisories; an id not in it is exported without a name where a name is optional, and as
//! text where it is required.

const NAMES: &[(u32, &str)] = &[
    (15, "External Control of System or Configuration Setting"),
    (20, "Improper Input Validation"),
    (22, "Improper Limitation of a Pathname to a Restricted Directory ('Path Traversal')"),
    (59, "Improper Link Resolution Before File Access ('Link Following')"),
    (73, "External Control of File Name or Path"),
    (74, "Improper Neutralization of Special Elements in Output Used by a Downstream Component ('Injection')"),
    (77, "Improper Neutralization of Special Elements used in a Command ('Command Injection')"),
    (78, "Improper Neutralization of Special Elements used in an OS Command ('OS Command Injection')"),
    (79, "Improper Neutralization of Input During Web Page Generation ('Cross-site Scripting')"),
    (89, "Improper Neutralization of Special Elements used in an SQL Command ('SQL Injection')"),
    (90, "Improper Neutralization of Special Elements used in an LDAP Query ('LDAP Injection')"),
    (94, "Improper Control of Generation of Code ('Code Injection')"),
    (116, "Improper Encoding or Escaping of Output"),
    (119, "Improper Restriction of Operations within the Bounds of a Memory Buffer"),
    (120, "Buffer Copy without Checking Size of Input ('Classic Buffer Overflow')"),
    (121, "Stack-based Buffer Overflow"),
    (122, "Heap-based Buffer Overflow"),
    (125, "Out-of-bounds Read"),
    (134, "Use of Externally-Controlled Format String"),
    (190, "Integer Overflow or Wraparound"),
    (200, "Exposure of Sensitive Information to an Unauthorized Actor"),
    (203, "Observable Discrepancy"),
    (269, "Improper Privilege Management"),
    (276, "Incorrect Default Permissions"),
    (284, "Improper Access Control"),
    (285, "Improper Authorization"),
    (287, "Improper Authentication"),
    (295, "Improper Certificate Validation"),
    (306, "Missing Authentication for Critical Function"),
    (307, "Improper Restriction of Excessive Authentication Attempts"),
    (311, "Missing Encryption of Sensitive Data"),
    (312, "Cleartext Storage of Sensitive Information"),
    (319, "Cleartext Transmission of Sensitive Information"),
    (327, "Use of a Broken or Risky Cryptographic Algorithm"),
    (330, "Use of Insufficiently Random Values"),
    (347, "Improper Verification of Cryptographic Signature"),
    (352, "Cross-Site Request Forgery (CSRF)"),
    (362, "Concurrent Execution using Shared Resource with Improper Synchronization ('Race Condition')"),
    (367, "Time-of-check Time-of-use (TOCTOU) Race Condition"),
    (384, "Session Fixation"),
    (400, "Uncontrolled Resource Consumption"),
    (401, "Missing Release of Memory after Effective Lifetime"),
    (415, "Double Free"),
    (416, "Use After Free"),
    (434, "Unrestricted Upload of File with Dangerous Type"),
    (476, "NULL Pointer Dereference"),
    (502, "Deserialization of Untrusted Data"),
    (522, "Insufficiently Protected Credentials"),
    (532, "Insertion of Sensitive Information into Log File"),
    (601, "URL Redirection to Untrusted Site ('Open Redirect')"),
    (611, "Improper Restriction of XML External Entity Reference"),
    (613, "Insufficient Session Expiration"),
    (639, "Authorization Bypass Through User-Controlled Key"),
    (732, "Incorrect Permission Assignment for Critical Resource"),
    (770, "Allocation of Resources Without Limits or Throttling"),
    (787, "Out-of-bounds Write"),
    (798, "Use of Hard-coded Credentials"),
    (835, "Loop with Unreachable Exit Condition ('Infinite Loop')"),
    (862, "Missing Authorization"),
    (863, "Incorrect Authorization"),
    (918, "Server-Side Request Forgery (SSRF)"),
    (1321, "Improperly Controlled Modification of Object Prototype Attributes ('Prototype Pollution')"),
    (1333, "Inefficient Regular Expression Complexity"),
];

/// The catalogue name of `CWE-<n>`, when the table has it.
pub fn name(id: &str) -> Option<&'static str> {
    let n: u32 = id.strip_prefix("CWE-")?.parse().ok()?;
    NAMES.binary_search_by_key(&n, |(k, _)| *k).ok().map(|i| NAMES[i].1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_found() {
        assert!(NAMES.windows(2).all(|w| w[0].0 < w[1].0), "sorted, unique: binary search relies on it");
        assert_eq!(
            name("CWE-79"),
            Some("Improper Neutralization of Input During Web Page Generation ('Cross-site Scripting')")
        );
        assert_eq!(name("CWE-99999"), None);
        assert_eq!(name("79"), None);
    }
}

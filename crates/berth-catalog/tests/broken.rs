//! Broken definitions are reported with the file and the line at fault.

use std::path::{Path, PathBuf};

use berth_catalog::{CatalogError, Definition, Origin, lint};

fn catalog_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../catalog")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &to.join(entry.file_name()));
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

/// A copy of the redis definition with `file` edited by `edit`.
fn broken(file: &str, edit: impl FnOnce(String) -> String) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("redis");
    copy_dir(&catalog_dir().join("redis"), &dir);
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, edit(text)).unwrap();
    (tmp, dir)
}

fn line_of(path: &Path, needle: &str) -> usize {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .position(|l| l.contains(needle))
        .unwrap()
        + 1
}

#[test]
fn bad_yaml_in_service_yaml_names_file_and_line() {
    let (_tmp, dir) = broken("service.yaml", |t| {
        t.replace("title: Redis", "title: [Redis")
    });
    match Definition::load(&dir, Origin::BuiltIn) {
        Err(CatalogError::Definition { file, line, .. }) => {
            assert_eq!(file, dir.join("service.yaml"));
            assert!(line.is_some_and(|l| l >= 2), "{line:?}");
        }
        other => panic!("{other:?}"),
    }
    let report = lint(&dir);
    assert!(!report.is_ok());
    assert_eq!(report.findings[0].file, dir.join("service.yaml"));
}

#[test]
fn undefined_template_variable_names_template_and_line() {
    let (_tmp, dir) = broken("templates/secret.yaml.j2", |t| {
        t.replace("type: Opaque", "type: {{ values.no_such_knob }}")
    });
    let report = lint(&dir);
    let template = dir.join("templates/secret.yaml.j2");
    let finding = report
        .findings
        .iter()
        .find(|f| f.file == template)
        .unwrap_or_else(|| panic!("{report:?}"));
    assert_eq!(finding.line, Some(line_of(&template, "no_such_knob")));
    assert!(finding.message.contains("undefined"), "{}", finding.message);
}

#[test]
fn template_syntax_error_names_template_and_line() {
    let (_tmp, dir) = broken("templates/pdb.yaml.j2", |t| {
        t.replace("{% endif %}", "{% endfor %}")
    });
    match Definition::load(&dir, Origin::BuiltIn) {
        Err(CatalogError::Definition { file, line, .. }) => {
            assert_eq!(file, dir.join("templates/pdb.yaml.j2"));
            assert_eq!(line, Some(line_of(&file, "endfor")));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn schema_errors_name_the_schema_file() {
    let (_tmp, dir) = broken("values.schema.json", |t| {
        t.replacen("\"type\": \"integer\"", "\"type\": \"integr\"", 1)
    });
    match Definition::load(&dir, Origin::BuiltIn) {
        Err(CatalogError::Definition {
            file,
            line,
            message,
        }) => {
            assert_eq!(file, dir.join("values.schema.json"));
            assert!(line.is_some(), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let (_tmp, dir) = broken("values.schema.json", |t| t.replacen('{', "{,", 1));
    assert!(matches!(
        Definition::load(&dir, Origin::BuiltIn),
        Err(CatalogError::Definition { line: Some(1), .. })
    ));
}

#[test]
fn lint_catches_open_objects_latest_tags_and_missing_limits() {
    let (_tmp, dir) = broken("values.schema.json", |t| {
        t.replacen("\"additionalProperties\": false,", "", 1)
    });
    assert!(
        lint(&dir)
            .findings
            .iter()
            .any(|f| f.message.contains("additionalProperties"))
    );
    let (_tmp, dir) = broken("service.yaml", |t| {
        t.replace("tag: \"8.2.1-bookworm\"", "tag: \"latest\"")
    });
    assert!(
        lint(&dir)
            .findings
            .iter()
            .any(|f| f.message.contains("unpinned") && f.line.is_some())
    );
    let (_tmp, dir) = broken("templates/statefulset.yaml.j2", |t| {
        t.replace("resources: {{ resources }}", "resources: {}")
    });
    assert!(
        lint(&dir)
            .findings
            .iter()
            .any(|f| f.message.contains("requests.cpu"))
    );
    let (_tmp, dir) = broken("templates/statefulset.yaml.j2", |t| {
        t.replace(
            "podManagementPolicy: OrderedReady",
            "podManagementPolicy: OrderedReady\n  bogusField: 1",
        )
    });
    let report = lint(&dir);
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.message.contains("Kubernetes 1.33") && f.message.contains("bogusField")),
        "{report:?}"
    );
}

#[test]
fn lint_requires_a_pdb_and_probes() {
    let (_tmp, dir) = broken("templates/pdb.yaml.j2", |_| "# no budget\n".to_string());
    let report = lint(&dir);
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.message.contains("no PodDisruptionBudget")),
        "{report:?}"
    );
    let (_tmp, dir) = broken("templates/statefulset.yaml.j2", |t| {
        t.replace("livenessProbe:", "startupProbe2:")
    });
    let report = lint(&dir);
    assert!(!report.is_ok());
}

#[test]
fn a_rendered_injection_attempt_in_a_template_is_caught() {
    // a template that writes a value with `plain` refuses anything outside the plain charset
    let (_tmp, dir) = broken("templates/secret.yaml.j2", |t| {
        t.replace("type: Opaque", "type: {{ \"a: b\" | plain }}")
    });
    let report = lint(&dir);
    assert!(
        report.findings.iter().any(|f| f.message.contains("plain")),
        "{report:?}"
    );
}

#[test]
fn data_operations_are_checked() {
    let (_tmp, dir) = broken("service.yaml", |t| {
        // the verify container misspelt, no unquiesce, an empty size command
        let t = t.replace(
            "    container: redis\n    command: [\"sh\", \"-c\", \"echo \\\"keys=",
            "    container: redsi\n    command: [\"sh\", \"-c\", \"echo \\\"keys=",
        );
        let t = t.split("  unquiesce:").next().unwrap().to_string();
        let (size, quiesce) = (t.find("  size:").unwrap(), t.find("  quiesce:").unwrap());
        format!(
            "{}  size:\n    pod: \"{{instance}}-0\"\n    container: redis\n    command: []\n{}",
            &t[..size],
            &t[quiesce..]
        )
    });
    let report = lint(&dir);
    let messages: Vec<String> = report.findings.iter().map(|f| f.message.clone()).collect();
    for want in [
        "operation `verify` runs in container `redsi`",
        "operation `size` has an empty command",
        "operations.quiesce and operations.unquiesce come together",
    ] {
        assert!(
            messages.iter().any(|m| m.contains(want)),
            "{want} not in {messages:#?}"
        );
    }
}

//! Build script: the C library's SONAME and its pkg-config file (feature `capi`).
//!
//! The shared library is named `libresults_vault.so.<ABI>` inside (its SONAME), so that a
//! portal linked against ABI 1 never loads an incompatible library. Keep `ABI_VERSION`
//! in step with `RV_ABI_VERSION` in src/ffi/mod.rs (a test compares them).

use std::env;
use std::fs;
use std::path::PathBuf;

const ABI_VERSION: u32 = 1;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=RV_INSTALL_PREFIX");
    let os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os == "linux" || os == "freebsd" || os == "android" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libresults_vault.so.{ABI_VERSION}");
    }
    if env::var_os("CARGO_FEATURE_CAPI").is_some() {
        write_pkg_config();
    }
}

/// Writes `results_vault.pc` beside the libraries (target/<profile>/), for the prefix the
/// install script uses (`RV_INSTALL_PREFIX`, default /usr/local).
fn write_pkg_config() {
    let prefix = env::var("RV_INSTALL_PREFIX").unwrap_or_else(|_| "/usr/local".to_owned());
    let version = env::var("CARGO_PKG_VERSION").unwrap_or_default();
    // OUT_DIR is target/<profile>/build/<pkg>-<hash>/out: three levels up is the profile dir.
    let Some(profile_dir) = env::var_os("OUT_DIR")
        .map(PathBuf::from)
        .and_then(|out| out.ancestors().nth(3).map(PathBuf::from))
    else {
        return;
    };
    let pc = format!(
        "prefix={prefix}\n\
         exec_prefix=${{prefix}}\n\
         libdir=${{exec_prefix}}/lib\n\
         includedir=${{prefix}}/include\n\
         \n\
         Name: results_vault\n\
         Description: results-vault C ABI: signed, content-addressed results for public-service portals\n\
         Version: {version}\n\
         Libs: -L${{libdir}} -lresults_vault\n\
         Libs.private: -lpthread -ldl -lm\n\
         Cflags: -I${{includedir}}\n"
    );
    // A missing or read-only target dir must not fail the build: the install script
    // writes the file again.
    let _ = fs::write(profile_dir.join("results_vault.pc"), pc);
}

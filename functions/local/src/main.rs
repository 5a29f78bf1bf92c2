fn main() -> std::process::ExitCode {
    cleanops::main()
}

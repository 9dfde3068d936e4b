#include "cmd_completion.h"

#include <memory>
#include <string>

#include "completion.h"
#include "crmkpi/base/exit_code.h"
#include "crmkpi/write/output_file.h"

namespace crmkpi {

void SetUpCompletionCommand(CLI::App* app, int* exit_code) {
  auto shell = std::make_shared<std::string>();
  CLI::App* cmd = app->add_subcommand(
      "completion",
      "Print the shell completion script: commands, options and their fixed values "
      "(install: crmkpi completion bash > /etc/bash_completion.d/crmkpi, or "
      "crmkpi completion zsh > \"${fpath[1]}/_crmkpi\")");
  cmd->add_option("shell", *shell, "bash or zsh")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh"}))
      ->type_name("bash|zsh");
  cmd->callback([app, shell, exit_code] {
    WriteOutput("", *shell == "bash" ? BashCompletion(*app) : ZshCompletion(*app));
    *exit_code = ToInt(ExitCode::kOk);
  });
}

}  // namespace crmkpi

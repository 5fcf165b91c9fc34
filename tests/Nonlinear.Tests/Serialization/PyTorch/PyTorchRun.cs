using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nonlinear.Data;
using Nonlinear.Serialization;
using Nonlinear.Serialization.PyTorch;

namespace Nonlinear.Tests.Serialization.PyTorch;

/// <summary>
/// Exports every case of <see cref="PyTorchCases"/> (model file + generated .py) into a temporary folder, then runs
/// them all in ONE <c>/usr/bin/python3</c> process (importing torch takes a second or two): each generated module
/// is imported, <c>load()</c> reads the .nlm, and the logits of <c>forward()</c> and the outputs of
/// <c>predict()</c> are written back for the tests to compare with ours. The driver also checks the generated
/// <c>main()</c> (--check), the strict loader on a mismatched file, and a few training steps with PyTorch's
/// optimiser and the generated <c>loss_function()</c>, comparing the first step's gradients with ours.
/// </summary>
/// <remarks>Missing python3 or torch is not a skip: <see cref="Failure"/> says what to install and every test fails.</remarks>
public sealed class PyTorchRun : IDisposable
{
    /// <summary>The interpreter with torch (Debian's python3-torch; not a pyenv python3).</summary>
    public const string Python = "/usr/bin/python3";

    private readonly string _folder;

    /// <summary>Exports the cases and runs the driver.</summary>
    public PyTorchRun()
    {
        _folder = Path.Combine(Path.GetTempPath(), "nonlinear-pytorch-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_folder);
        Cases = PyTorchCases.All();
        try
        {
            Run();
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or JsonException or System.ComponentModel.Win32Exception)
        {
            Failure = $"running the generated PyTorch modules failed: {e.Message}";
        }
    }

    /// <summary>The cases, in manifest order.</summary>
    public IReadOnlyList<PyTorchCase> Cases { get; }

    /// <summary>Why the run as a whole failed (no python3, no torch, a crash), or null.</summary>
    public string? Failure { get; private set; }

    /// <summary>Per case: "ok", or the Python traceback.</summary>
    public Dictionary<string, string> Status { get; } = [];

    /// <summary>Per case: PyTorch's forward() output (logits), flat.</summary>
    public Dictionary<string, float[]> Logits { get; } = [];

    /// <summary>Per case: PyTorch's predict() output, flat.</summary>
    public Dictionary<string, float[]> Predictions { get; } = [];

    /// <summary>The case trained for a few steps in PyTorch (its folder holds trained.nlm, written by the generated save()).</summary>
    public PyTorchCase? Training { get; private set; }

    /// <summary>PyTorch's predict() on the training case's input after training, or null.</summary>
    public float[]? TrainedPredictions =>
        Training is { } t && File.Exists(Path.Combine(Folder(t.Name), "trained-predictions.bin"))
            ? Floats(File.ReadAllBytes(Path.Combine(Folder(t.Name), "trained-predictions.bin")))
            : null;

    /// <summary>The driver's JSON report (check, strict, train sections).</summary>
    public JsonObject Report { get; private set; } = [];

    /// <summary>The folder of case <paramref name="name"/> (model.nlm, model.py, ...).</summary>
    public string Folder(string name) => Path.Combine(_folder, name);

    /// <summary>Deletes the temporary folder.</summary>
    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private void Run()
    {
        if (!File.Exists(Python))
        {
            Failure = $"{Python} is missing: the PyTorch export tests need Debian's python3 with python3-torch "
                + "(sudo apt-get install python3-torch libopenblas0-pthread; ./test.sh installs them).";
            return;
        }

        var manifest = new JsonArray();
        foreach (var c in Cases)
        {
            string folder = Folder(c.Name);
            Directory.CreateDirectory(folder);
            File.WriteAllBytes(Path.Combine(folder, "input.bin"), Bytes(c.Input.Span.ToArray()));
            ModelFile.Save(Path.Combine(folder, "model.nlm"), c.Saved.Model, c.Saved.Metadata);
            PyTorchExport.Save(Path.Combine(folder, "model.py"), c.Saved, Path.Combine(folder, "model.nlm"));
            var shape = new JsonArray();
            foreach (int d in c.Input.Shape)
            {
                shape.Add(d);
            }

            manifest.Add(new JsonObject
            {
                ["name"] = c.Name,
                ["folder"] = folder,
                ["shape"] = shape,
                ["tokens"] = c.Tokens,
            });
        }

        var train = PyTorchCases.TrainingCase();
        Training = train.Case;
        var trainManifest = new JsonObject
        {
            ["name"] = train.Case.Name,
            ["targets"] = new JsonArray(train.Targets.Select(t => (JsonNode)t).ToArray()),
            ["learning_rate"] = PyTorchCases.TrainingLearningRate,
        };
        string trainFolder = Folder(train.Case.Name);
        Directory.CreateDirectory(trainFolder);
        File.WriteAllBytes(Path.Combine(trainFolder, "input.bin"), Bytes(train.Case.Input.Span.ToArray()));
        ModelFile.Save(Path.Combine(trainFolder, "model.nlm"), train.Case.Saved.Model, train.Case.Saved.Metadata);
        PyTorchExport.Save(Path.Combine(trainFolder, "model.py"), train.Case.Saved, Path.Combine(trainFolder, "model.nlm"));
        var inputShape = new JsonArray();
        foreach (int d in train.Case.Input.Shape)
        {
            inputShape.Add(d);
        }

        trainManifest["folder"] = trainFolder;
        trainManifest["shape"] = inputShape;
        var gradients = new JsonObject();
        foreach (var (key, values) in train.Gradients)
        {
            File.WriteAllBytes(Path.Combine(trainFolder, key + ".grad.bin"), Bytes(values));
            gradients[key] = key + ".grad.bin";
        }

        trainManifest["gradients"] = gradients;
        string manifestPath = Path.Combine(_folder, "manifest.json");
        File.WriteAllText(manifestPath, new JsonObject { ["cases"] = manifest, ["train"] = trainManifest }.ToJsonString());
        string driver = Path.Combine(_folder, "driver.py");
        File.WriteAllText(driver, Driver);

        var start = new ProcessStartInfo(Python)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _folder,
        };
        start.ArgumentList.Add(driver);
        start.ArgumentList.Add(manifestPath);
        start.Environment["OMP_NUM_THREADS"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {Python}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            Failure = $"{Python} did not finish the PyTorch export checks within 3 minutes.";
            return;
        }

        string output = stdout.Result, errors = stderr.Result;
        if (process.ExitCode != 0)
        {
            Failure = errors.Contains("No module named 'torch'", StringComparison.Ordinal)
                ? $"{Python} has no torch: install Debian's python3-torch (sudo apt-get install python3-torch libopenblas0-pthread; ./test.sh installs them)."
                : $"{Python} exited with {process.ExitCode}:\n{errors}\n{output}";
            return;
        }

        Report = JsonNode.Parse(output)!.AsObject();
        foreach (var c in Cases)
        {
            string status = (string?)Report["status"]?[c.Name] ?? "no result";
            Status[c.Name] = status;
            if (status == "ok")
            {
                Logits[c.Name] = Floats(File.ReadAllBytes(Path.Combine(Folder(c.Name), "logits.bin")));
                Predictions[c.Name] = Floats(File.ReadAllBytes(Path.Combine(Folder(c.Name), "predictions.bin")));
            }
        }
    }

    private static byte[] Bytes(float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
        {
            BitConverter.TryWriteBytes(bytes.AsSpan(i * 4), values[i]);
        }

        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("The test writes little-endian floats.");
        }

        return bytes;
    }

    private static float[] Floats(byte[] bytes)
    {
        var values = new float[bytes.Length / 4];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BitConverter.ToSingle(bytes, i * 4);
        }

        return values;
    }

    /// <summary>Formats a float for messages.</summary>
    internal static string F(double v) => v.ToString("G4", CultureInfo.InvariantCulture);

    private const string Driver = """
        import array
        import contextlib
        import importlib.util
        import io
        import json
        import os
        import sys
        import traceback

        import torch

        torch.set_num_threads(1)
        manifest = json.load(open(sys.argv[1]))
        report = {"status": {}}


        def read(path, shape):
            data = bytearray(open(path, "rb").read())
            return torch.frombuffer(data, dtype=torch.float32).reshape(shape).clone()


        def write(path, tensor):
            values = array.array("f", tensor.detach().float().flatten().tolist())
            with open(path, "wb") as f:
                f.write(values.tobytes())


        def module(name, folder):
            spec = importlib.util.spec_from_file_location(name, os.path.join(folder, "model.py"))
            m = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(m)
            return m


        modules = {}
        for i, case in enumerate(manifest["cases"]):
            try:
                m = module(f"case{i}", case["folder"])
                modules[case["name"]] = m
                model = m.load()
                x = read(os.path.join(case["folder"], "input.bin"), case["shape"])
                if case["tokens"]:
                    x = x.long()
                with torch.no_grad():
                    logits = model(x)
                write(os.path.join(case["folder"], "logits.bin"), logits)
                write(os.path.join(case["folder"], "predictions.bin"), model.predict(x))
                report["status"][case["name"]] = "ok"
            except Exception:
                report["status"][case["name"]] = traceback.format_exc()

        # main() --check of the first case, as `python3 model.py --check` runs it.
        first = manifest["cases"][0]
        out = io.StringIO()
        try:
            sys.argv = [os.path.join(first["folder"], "model.py"), "--check"]
            with contextlib.redirect_stdout(out):
                modules[first["name"]].main()
            report["check"] = out.getvalue()
        except Exception:
            report["check"] = "error: " + traceback.format_exc()

        # The strict loader: the first module on the second case's file must refuse.
        try:
            modules[first["name"]].load(os.path.join(manifest["cases"][1]["folder"], "model.nlm"))
            report["strict"] = "loaded"
        except ValueError as e:
            report["strict"] = "ValueError: " + str(e)
        except Exception:
            report["strict"] = "other: " + traceback.format_exc()

        # Training in PyTorch: gradients of the first step against Nonlinear's, then a few SGD steps.
        train = manifest["train"]
        try:
            m = module("train", train["folder"])
            model = m.load().train()
            x = read(os.path.join(train["folder"], "input.bin"), train["shape"])
            targets = torch.tensor(train["targets"], dtype=torch.long)
            loss_fn = m.loss_function()
            optimizer = torch.optim.SGD(model.parameters(), lr=train["learning_rate"])
            losses = []
            gradient_errors = {}
            for step in range(5):
                optimizer.zero_grad()
                loss = loss_fn(model(x), targets)
                loss.backward()
                if step == 0:
                    named = dict(model.named_parameters())
                    for nlm_name, file in train["gradients"].items():
                        key = m.TENSOR_NAMES[nlm_name]
                        ours = read(os.path.join(train["folder"], file), named[key].shape)
                        theirs = named[key].grad
                        scale = max(1.0, float(ours.abs().max()))
                        gradient_errors[nlm_name] = float((ours - theirs).abs().max()) / scale
                losses.append(float(loss))
                optimizer.step()
            m.save(model, os.path.join(train["folder"], "trained.nlm"))
            write(os.path.join(train["folder"], "trained-predictions.bin"), model.predict(x))
            report["train"] = {"losses": losses, "gradient_errors": gradient_errors,
                               "all_have_gradients": all(p.grad is not None for p in model.parameters())}
        except Exception:
            report["train"] = {"error": traceback.format_exc()}

        print(json.dumps(report))
        """;
}

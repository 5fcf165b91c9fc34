using Xunit;

namespace Nonlinear.Web.Tests;

/// <summary>`nonlinear serve` binds the loopback interface unless told otherwise, and refuses other hosts and bad ports with a message.</summary>
public sealed class ServeOptionsTests
{
    [Fact]
    public void The_default_host_is_the_loopback_address()
    {
        var options = new ServeOptions();
        Assert.Equal("127.0.0.1", options.Host);
        options.Validate();
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.2")]
    [InlineData("::1")]
    [InlineData("[::1]")]
    [InlineData("localhost")]
    [InlineData("LocalHost")]
    [InlineData(" localhost ")]
    public void Loopback_hosts_are_accepted(string host)
    {
        Assert.True(ServeOptions.IsLoopback(host));
        new ServeOptions { Host = host }.Validate();
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    [InlineData("[::]")]
    [InlineData("192.168.1.20")]
    [InlineData("10.0.0.1")]
    [InlineData("example.com")]
    [InlineData("localhost.example.com")]
    [InlineData("*")]
    [InlineData("+")]
    [InlineData("[::1]:80")]
    [InlineData("127.0.0.1:8080")]
    public void Other_hosts_are_refused_naming_the_host_and_the_reason(string host)
    {
        Assert.False(ServeOptions.IsLoopback(host));
        var e = Assert.Throws<ArgumentException>(() => new ServeOptions { Host = host }.Validate());
        Assert.Contains(host, e.Message, StringComparison.Ordinal);
        Assert.Contains("loopback", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void An_empty_host_is_refused(string host)
    {
        var e = Assert.Throws<ArgumentException>(() => new ServeOptions { Host = host }.Validate());
        Assert.Contains("--host", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(65536)]
    [InlineData(int.MaxValue)]
    [InlineData(int.MinValue)]
    public void Ports_out_of_range_are_refused_naming_the_range(int port)
    {
        var e = Assert.Throws<ArgumentException>(() => new ServeOptions { Port = port }.Validate());
        Assert.Contains($"--port {port}", e.Message, StringComparison.Ordinal);
        Assert.Contains("0-65535", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(8080)]
    [InlineData(65535)]
    public void Ports_in_range_are_accepted(int port) => new ServeOptions { Port = port }.Validate();

    [Theory]
    [InlineData("MaxSessions")]
    [InlineData("MaxHiddenLayers")]
    [InlineData("MaxNeurons")]
    [InlineData("MaxJsonBytes")]
    [InlineData("MaxFramesPerSecond")]
    public void A_limit_that_is_not_positive_is_refused_naming_it(string limit)
    {
        var options = new ServeOptions();
        typeof(PlaygroundLimits).GetProperty(limit)!.SetValue(options.Limits, 0);
        var e = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains(limit, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--Nonlinear:Host=0.0.0.0")]
    [InlineData("--Nonlinear:Host=192.168.0.1")]
    [InlineData("--Nonlinear:Port=70000")]
    [InlineData("--Nonlinear:Limits:MaxSessions=0")]
    [InlineData("--Nonlinear:Limits:SessionIdleTimeout=-00:00:01")]
    public void The_server_does_not_start_with_an_unusable_setting(string argument)
    {
        Assert.Throws<ArgumentException>(() => WebServer.Build([argument]));
    }

    [Fact]
    public void The_server_does_not_start_on_a_host_a_flag_sets_outside_the_loopback()
    {
        var e = Assert.Throws<ArgumentException>(() => WebServer.Build([], o => o.Host = "0.0.0.0"));
        Assert.Contains("0.0.0.0", e.Message, StringComparison.Ordinal);
    }
}

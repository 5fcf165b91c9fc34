using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;
using Xunit;

namespace Nonlinear.Web.Tests;

/// <summary>
/// Learn in a classroom (<c>serve --classroom</c>) in a real browser: the join form instead of the profile picker, a
/// wrong code refused inline with the server's words, joining, and the instructor signing in from the same panel and
/// finding the class on /learn/classroom.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class LearnClassroomPageTests(LiveServer live) : IAsyncLifetime
{
    private const string JoinCode = "LEARN7";
    private const string InstructorCode = "LRNP-TEACH-42";

    private LiveClassroom? _classroom;
    private string _address = "";

    public async Task InitializeAsync()
    {
        _classroom = await LiveClassroom.StartAsync(JoinCode, InstructorCode);
        _address = _classroom.Address;
    }

    public async Task DisposeAsync()
    {
        if (_classroom is not null)
        {
            await _classroom.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_learner_joins_with_the_code_and_the_instructor_then_sees_them_in_the_class()
    {
        var (page, errors) = await OpenAsync("/learn/m3");

        // Nothing of the course before joining: the join form is the page.
        await page.WaitForSelectorAsync(".learn-who-panel[data-who=classroom]");
        Assert.Equal(0, await page.Locator(".learn-lesson").CountAsync());
        Assert.Equal(0, await page.Locator(".learn-profile").CountAsync());

        // A wrong code is refused with the server's own words, inline.
        var refusal = await LearnPage.ApiRefusalAsync(page, "/api/classroom/join", "{\"code\":\"WRONG1\",\"name\":\"Probe\"}");
        Assert.Equal(403, refusal.Status);
        await page.FillAsync("#learn-join-code", "WRONG1");
        await page.FillAsync("#learn-join-name", "Noor");
        await page.PressAsync("#learn-join-name", "Enter");
        await Assertions.Expect(page.Locator(".learn-join .learn-error")).ToHaveTextAsync(refusal.Detail);

        // The right code joins; module 3 is shown to the learner by name.
        await page.FillAsync("#learn-join-code", JoinCode);
        await page.PressAsync("#learn-join-name", "Enter");
        await page.WaitForSelectorAsync(".learn-who[data-learner='Noor']");
        await LearnPage.WaitReadyAsync(page, "module");
        Assert.True(await page.Locator(".learn-lesson").IsVisibleAsync());
        Assert.Equal(0, await page.Locator(".learn-who [data-action=switch]").CountAsync());
        Assert.DoesNotContain(errors, e => !(e.Contains(" 401 ", StringComparison.Ordinal) || e.Contains(" 403 ", StringComparison.Ordinal)));
        await page.Context.CloseAsync();

        // The instructor, in another browser, signs in from the same panel and lands on the class dashboard.
        var (teacher, teacherErrors) = await OpenAsync("/learn/classroom");
        await teacher.WaitForSelectorAsync(".learn-who-panel[data-who=classroom]");
        await teacher.ClickAsync(".learn-instructor-box summary");
        await teacher.FillAsync("#learn-instructor-code", InstructorCode);
        await teacher.PressAsync("#learn-instructor-code", "Enter");
        await teacher.WaitForSelectorAsync(".learn-who[data-learner='Instructor']");
        await LearnPage.WaitReadyAsync(teacher, "classroom");
        Assert.True(await teacher.IsVisibleAsync(".learn-section[data-section=classroom]"));
        var row = teacher.Locator("table[data-table=learners] tr[data-learner]");
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row.Locator("th")).ToHaveTextAsync("Noor");
        Assert.DoesNotContain(teacherErrors, e => !(e.Contains(" 401 ", StringComparison.Ordinal) || e.Contains(" 403 ", StringComparison.Ordinal)));
        await teacher.Context.CloseAsync();
    }

    private async Task<(IPage Page, List<string> Errors)> OpenAsync(string path)
    {
        var context = await live.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, m) =>
        {
            if (m.Type == "error")
            {
                errors.Add(m.Text);
            }
        };
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync(_address + path);
        await page.WaitForFunctionAsync("() => document.body.dataset.learnReady === 'true'");
        return (page, errors);
    }
}
